import { routes } from '@/lib/app/routes';

export const dynamic = 'force-dynamic';

/** Deletes all the site's data now; body `{ "confirm": "<site host>" }` (site admins only). */
export const POST = routes.adminData.deleteAll;
