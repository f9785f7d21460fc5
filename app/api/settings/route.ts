import { withApiAuth } from '@/lib/app/connect';
import { adminOverviewHandler, saveSettingsHandler } from '@/lib/settings/http';

export const dynamic = 'force-dynamic';

export const GET = withApiAuth(adminOverviewHandler);
export const PUT = withApiAuth(saveSettingsHandler);
