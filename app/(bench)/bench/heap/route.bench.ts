import { benchRoutes } from '@/bench/app/routes';

export const dynamic = 'force-dynamic';
export const GET = benchRoutes.heap;
