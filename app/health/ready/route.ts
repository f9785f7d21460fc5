import { routes } from '@/lib/app/routes';

export const dynamic = 'force-dynamic';

export const GET = routes.ready;
