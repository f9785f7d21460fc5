import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import { baseBootstrap } from './bootstrap';
import { renderShell } from './shell';

/**
 * GET /admin: the adminPages / configurePage module. Anyone the product shows it to may look;
 * saving is checked by the settings API against the product's own admin answer.
 */
export async function adminPage(req: Request, ctx: RequestContext & { sessionToken?: string }): Promise<Response> {
  return renderShell('admin', req, {
    locale: ctx.locale,
    bootstrap: { ...baseBootstrap(req, ctx, 'admin'), prefetch: { overview: '/api/settings' } },
  });
}
