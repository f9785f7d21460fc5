import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonResponse } from 'atlassian-connect-next';
import { DRAIN_LIMIT_BYTES, sendResponse, toRequest } from './bridge';

/** The Node ⇄ Fetch bridge over a real socket: bodies read on demand, and what a handler leaves unread. */
let server: Server;
let base: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const bridged = toRequest(req, 'https://app.example.com', req.method === 'HEAD' ? 'GET' : undefined);
    res.once('close', () => {
      if (!res.writableFinished) bridged.abort();
    });
    void (async () => {
      const r = bridged.request;
      seen.push(`${r.method} ${r.url}`);
      if (r.method === 'GET') return void (await sendResponse(res, await bodiless(r, bridged), {}, { head: req.method === 'HEAD' }));
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
/** What a GET handler sees of its request, answered as JSON; /wait answers when the request's signal aborts. */
async function bodiless(r: Request, bridged: { aborted: boolean }): Promise<Response> {
  if (r.url.endsWith('/wait')) {
    await new Promise((resolve) => r.signal.addEventListener('abort', resolve));
    aborts.push(`${r.url} ${bridged.aborted}`);
    return new Response('late');
  }
  const copy = r.clone();
  // A string answer: written as it is, with its length.
  return jsonResponse({
    url: r.url,
    tag: Object.prototype.toString.call(r),
    two: r.headers.get('x-two'),
    accept: r.headers.get('ACCEPT-language'),
    body: r.body,
    bodyUsed: r.bodyUsed,
    text: await r.text(),
    clone: [copy.method, copy.url, copy.headers.get('x-two')],
    cache: r.cache,
    aborted: r.signal.aborted,
  });
}
const aborts: string[] = [];

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

  it('a GET gets a request whose parts are made when read, the same as a Request of its URL and headers', async () => {
    const got = await new Promise<{ status: number; body: string; length?: string }>((resolve, reject) => {
      // The path as sent (a URL string would be normalised by the client already).
      const { hostname, port } = new URL(base);
      const req = httpRequest({ hostname, port, path: '/a/./b/../page%20x?jwt=t&q=%C3%BC', headers: { 'X-Two': ['1', '2'], 'Accept-Language': 'de-DE' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body, length: res.headers['content-length'] }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(got.status).toBe(200);
    expect(Number(got.length)).toBe(Buffer.byteLength(got.body));
    const url = 'https://app.example.com/a/page%20x?jwt=t&q=%C3%BC';
    expect(url).toBe(new Request(new URL('/a/./b/../page%20x?jwt=t&q=%C3%BC', 'https://app.example.com')).url);
    expect(JSON.parse(got.body)).toEqual({ url, tag: '[object Request]', two: '1, 2', accept: 'de-DE', body: null, bodyUsed: false, text: '', clone: ['GET', url, '1, 2'], cache: 'default', aborted: false });
  });

  it('HEAD reaches the handler as GET and answers without a body', async () => {
    const got = await new Promise<{ status: number; body: string; length?: string }>((resolve, reject) => {
      const req = httpRequest(`${base}/head`, { method: 'HEAD' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body, length: res.headers['content-length'] }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(got).toMatchObject({ status: 200, body: '' });
    expect(seen.at(-1)).toBe('GET https://app.example.com/head');
  });

  it("a GET's signal aborts when the client goes away before its answer", async () => {
    const req = httpRequest(`${base}/wait`);
    req.on('error', () => undefined);
    req.end();
    await new Promise<void>((resolve) => {
      const check = () => (seen.at(-1) === 'GET https://app.example.com/wait' ? resolve() : setImmediate(check));
      check();
    });
    req.destroy();
    await new Promise<void>((resolve) => {
      const check = () => (aborts.length ? resolve() : setImmediate(check));
      check();
    });
    expect(aborts).toEqual(['https://app.example.com/wait true']);
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
