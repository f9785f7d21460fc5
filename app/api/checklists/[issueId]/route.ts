import { withApiAuth } from '@/lib/app/connect';
import { getChecklistHandler } from '@/lib/checklists/http';

export const dynamic = 'force-dynamic';

export const GET = withApiAuth(getChecklistHandler);
