import { withApiAuth } from '@/lib/app/connect';
import { deleteItemHandler, updateItemHandler } from '@/lib/checklists/http';

export const dynamic = 'force-dynamic';

export const PATCH = withApiAuth(updateItemHandler);
export const DELETE = withApiAuth(deleteItemHandler);
