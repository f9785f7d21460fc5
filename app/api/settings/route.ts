import { routes } from '@/lib/app/routes';

export const dynamic = 'force-dynamic';

export const GET = routes.settings.overview;
export const PUT = routes.settings.save;
