import { routes } from '@/lib/app/routes';

export const dynamic = 'force-dynamic';

/** A Forge remote resolver (invokeRemote / endpoint module): Forge invocation token only. */
export const GET = routes.forgeRemote;
export const POST = routes.forgeRemote;
