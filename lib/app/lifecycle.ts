import 'server-only';
import { errorResponse } from '@/lib/connect/next';
import { ConnectError } from '@/lib/connect/errors';
import { LIFECYCLE_PATHS, type LifecycleEventName } from '@/lib/connect/descriptor';
import { connect, runtime } from './connect';

/** POST /lifecycle/{installed|uninstalled|enabled|disabled}. */
export async function lifecycleRoute(req: Request, route: { params: Promise<{ event: string }> }): Promise<Response> {
  const { event } = await route.params;
  if (!Object.hasOwn(LIFECYCLE_PATHS, event)) {
    return errorResponse(runtime(), new ConnectError('NOT_FOUND', 'unknown lifecycle event'));
  }
  return connect().lifecycleRoute(event as LifecycleEventName)(req);
}
