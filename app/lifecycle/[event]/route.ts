import { lifecycleRoute } from '@/lib/app/lifecycle';

export const dynamic = 'force-dynamic';

export const POST = lifecycleRoute;
