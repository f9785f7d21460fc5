import { withApiAuth } from '@/lib/app/connect';
import { getPreferencesHandler, putPreferencesHandler } from '@/lib/preferences/http';

export const dynamic = 'force-dynamic';

export const GET = withApiAuth(getPreferencesHandler);
export const PUT = withApiAuth(putPreferencesHandler);
