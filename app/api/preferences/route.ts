import { routes } from '@/lib/app/routes';

export const dynamic = 'force-dynamic';

export const GET = routes.preferences.get;
export const PUT = routes.preferences.put;
