import { withApiAuth } from '@/lib/app/connect';
import { moveItemHandler } from '@/lib/checklists/http';

export const dynamic = 'force-dynamic';

export const POST = withApiAuth(moveItemHandler);
