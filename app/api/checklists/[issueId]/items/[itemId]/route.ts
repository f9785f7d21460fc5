import { routes } from '@/lib/app/routes';

export const dynamic = 'force-dynamic';

export const PATCH = routes.checklist.updateItem;
export const DELETE = routes.checklist.deleteItem;
