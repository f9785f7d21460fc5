import 'server-only';
import type { z } from 'zod';
import { ConnectError, readJsonCapped } from 'atlassian-connect-next';
import { CHECKLIST_LIMITS } from '@/lib/checklists/limits';

/** Request parsing and the write guards shared by the app's JSON API handlers. */

function issuesOf(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Parses a value with a schema, or 422 VALIDATION_FAILED listing each problem. */
export function parseOr422<T>(schema: z.ZodType<T>, value: unknown, what = 'request'): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ConnectError('VALIDATION_FAILED', `${what} invalid`, { issues: issuesOf(r.error), publicMessage: `Invalid ${what}` });
  return r.data;
}

/**
 * Reads a JSON body: `application/json` only (415), at most `limit` bytes whatever
 * Content-Length claims (413, counted while streaming), valid JSON (400), then the schema (422).
 */
export async function readJson<T>(req: Request, schema: z.ZodType<T>, limit: number = CHECKLIST_LIMITS.bodyBytes): Promise<T> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ConnectError('UNSUPPORTED_MEDIA_TYPE', `content-type ${type}`, { publicMessage: 'Send the body as application/json' });
  }
  return parseOr422(schema, await readJsonCapped(req, limit), 'request body');
}
