import { routes } from '@/lib/app/routes';

export const dynamic = 'force-dynamic';

/** Who the iframe is talking as: tenant, user, license and locale, as the app resolved them. */
export const GET = routes.context;
