import { routes } from '@/lib/app/routes';

export const dynamic = 'force-dynamic';

/** Site host, retention and whether the caller may export/delete (for the admin page's data controls). */
export const GET = routes.adminData.summary;
