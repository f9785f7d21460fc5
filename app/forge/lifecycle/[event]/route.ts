import { forgeLifecycleRoute } from '@/lib/app/forge';

export const dynamic = 'force-dynamic';

export const POST = forgeLifecycleRoute;
