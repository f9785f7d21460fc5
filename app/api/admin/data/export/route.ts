import { routes } from '@/lib/app/routes';

export const dynamic = 'force-dynamic';

/** The site's data as a JSON download (site admins only). */
export const GET = routes.adminData.export;
