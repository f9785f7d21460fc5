import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRAIN_LIMIT_BYTES, sendResponse, toRequest } from './bridge';

/** The Node ⇄ Fetch bridge over a real socket: bodies read on demand, and what a handler leaves unread. */
let server: Server;
let base: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const bridged = toRequest(req, 'https://app.example.com', new AbortController().signal);
    void (async () => {
      const r = bridged.request;
      seen.push(`${r.method} ${r.url}`);
      // /refuse answers before reading the body, as an authentication failure does.
      const response = r.url.endsWith('/refuse')
        ? Response.json({ error: 'no' }, { status: 401 })
        : r.url.endsWith('/stream')
          ? new Response(chunked(3, 200_000))
          : new Response(`read ${(await r.arrayBuffer()).byteLength}`);
      await sendResponse(res, response, { 'x-extra': '1' });
      bridged.finish();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
/** A body of `n` chunks of `size` bytes ('a', 'b', …), produced one at a time as the reader pulls. */
function chunked(n: number, size: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i === n) return c.close();
      c.enqueue(new Uint8Array(size).fill(97 + i++));
    },
  });
}

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** One kept-alive connection for every request of a test, as a product's HTTP client keeps one. */
function on(agent: Agent, path: string, body: Buffer): Promise<{ status: number; text: string; socketReused: boolean; length?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${base}${path}`, { method: 'POST', agent, headers: { 'content-length': body.byteLength } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text, socketReused: req.reusedSocket, length: res.headers['content-length'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the app server bridge', () => {
  it('hands the handler the body, the URL on the app base and the extra headers on the answer', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const r = await on(agent, '/read?x=1', Buffer.alloc(300_000, 1));
    // A body of one chunk goes out with its length.
    expect(r).toMatchObject({ status: 200, text: 'read 300000', length: '11' });
    expect(seen.at(-1)).toBe('POST https://app.example.com/read?x=1');
    agent.destroy();
  });

  it('a streamed body is sent chunk by chunk, whole and in order, without a length', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const r = await on(agent, '/stream', Buffer.from(''));
    expect(r.status).toBe(200);
    expect(r.length).toBeUndefined();
    expect(r.text).toBe('a'.repeat(200_000) + 'b'.repeat(200_000) + 'c'.repeat(200_000));
    expect(await on(agent, '/read', Buffer.from('ok'))).toMatchObject({ status: 200, text: 'read 2', socketReused: true });
    agent.destroy();
  });

  it('a body left unread by a refusal is drained: the next request on the connection is answered', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await on(agent, '/refuse', Buffer.alloc(500_000, 2))).toMatchObject({ status: 401 });
    const next = await on(agent, '/read', Buffer.from('ok'));
    expect(next).toMatchObject({ status: 200, text: 'read 2', socketReused: true });
    agent.destroy();
  });

  it('a client still sending past the drain limit is cut off, and a new connection works', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const big = await on(agent, '/refuse', Buffer.alloc(DRAIN_LIMIT_BYTES * 4, 3)).catch((err: NodeJS.ErrnoException) => ({ status: 0, text: err.code ?? err.message, socketReused: false }));
    // Either the refusal arrived before the cut, or the client saw the connection reset.
    expect([401, 0]).toContain(big.status);
    const next = await on(agent, '/read', Buffer.from('abc'));
    expect(next).toMatchObject({ status: 200, text: 'read 3', socketReused: false });
    agent.destroy();
  });
});
