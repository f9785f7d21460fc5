import { withApiAuth } from '@/lib/app/connect';
import { createItemHandler } from '@/lib/checklists/http';

export const dynamic = 'force-dynamic';

export const POST = withApiAuth(createItemHandler);
