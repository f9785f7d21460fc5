import 'server-only';
import type { ConnectContext } from 'atlassian-connect-next';
import { readJson } from '@/lib/app/api/http';
import type { PreferencesRepository } from './repository';
import { DEFAULT_PREFERENCES, savePreferencesBody } from './schema';

/** GET/PUT /api/preferences: the caller's own preferences on this site; there is no way to name another account. */
export function preferencesHandlers(repo: PreferencesRepository) {
  const noStore = { 'Cache-Control': 'no-store' };
  return {
    async get(_req: Request, ctx: ConnectContext): Promise<Response> {
      const prefs = ctx.accountId ? await repo.read(ctx.clientKey, ctx.accountId) : DEFAULT_PREFERENCES;
      return Response.json(prefs, { headers: noStore });
    },

    /** Policies: writer (a signed-in user with a license). */
    async put(req: Request, ctx: ConnectContext): Promise<Response> {
      const change = await readJson(req, savePreferencesBody);
      return Response.json(await repo.write(ctx.clientKey, ctx.accountId!, change), { headers: noStore });
    },
  };
}
