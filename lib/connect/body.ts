import { ConnectError } from './errors';

/**
 * Reads a request body up to `limit` bytes, whatever Content-Length claims (a chunked body has
 * none): a declared length over the limit is refused before reading, and reading stops, the
 * stream cancelled, as soon as the limit is passed — before any parsing or database work.
 */
export async function readBodyCapped(req: Request, limit: number): Promise<Uint8Array> {
  const tooLarge = () => new ConnectError('PAYLOAD_TOO_LARGE', 'body over limit', { publicMessage: `The request body must be at most ${limit} bytes` });
  const declared = req.headers.get('content-length');
  if (declared !== null && (!/^\d{1,15}$/.test(declared.trim()) || Number(declared) > limit)) throw tooLarge();
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A capped body parsed as JSON: 413 over the limit, 400 when it is not UTF-8 JSON. Returns
 * `unknown`: validate it (Zod) before use.
 */
export async function readJsonCapped(req: Request, limit: number, what = 'request body'): Promise<unknown> {
  const bytes = await readBodyCapped(req, limit);
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    throw new ConnectError('BAD_REQUEST', `${what} is not JSON`, { publicMessage: `The ${what} is not valid JSON` });
  }
}
