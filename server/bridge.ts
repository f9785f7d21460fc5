import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Node's request and response to the Fetch API and back, for route handlers the app server
 * answers itself. The Request's URL is built on the app's own base URL, never on the Host header
 * (handlers read only its path and query; qsh is computed against the configured base URL).
 */
export function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal, asMethod?: string): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = asMethod ?? req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    signal,
    duplex: 'half',
  } as RequestInit);
}

export async function sendResponse(res: ServerResponse, response: Response, extraHeaders: Record<string, string>, opts: { head?: boolean } = {}): Promise<void> {
  res.statusCode = response.status;
  for (const [k, v] of response.headers) {
    if (k === 'set-cookie') continue;
    res.setHeader(k, v);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader('set-cookie', cookies);
  for (const [k, v] of Object.entries(extraHeaders)) if (!res.hasHeader(k)) res.setHeader(k, v);
  if (!response.body || opts.head) {
    await response.body?.cancel();
    res.end();
    return;
  }
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), res);
}
