import 'server-only';
import type { RequestContext } from '@/lib/connect/auth';
import { readJson, requireWriter } from '@/lib/app/api/http';
import { readPreferences, writePreferences } from './repository';
import { DEFAULT_PREFERENCES, savePreferencesBody } from './schema';

/** GET/PUT /api/preferences: the caller's own preferences on this site; there is no way to name another account. */
export async function getPreferencesHandler(_req: Request, ctx: RequestContext): Promise<Response> {
  const prefs = ctx.accountId ? await readPreferences(ctx.clientKey, ctx.accountId) : DEFAULT_PREFERENCES;
  return Response.json(prefs, { headers: { 'Cache-Control': 'no-store' } });
}

export async function putPreferencesHandler(req: Request, ctx: RequestContext): Promise<Response> {
  const accountId = requireWriter(ctx);
  const change = await readJson(req, savePreferencesBody);
  return Response.json(await writePreferences(ctx.clientKey, accountId, change), { headers: { 'Cache-Control': 'no-store' } });
}
