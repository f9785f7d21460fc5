/**
 * The floor for `npm run bench`: a bare node:http server doing the same Connect checks as the
 * app's wrappers (decode, HS256 verify with the imported tenant key, qsh against the base URL)
 * with one in-memory tenant. Env: PORT, BASE_URL, CLIENT_KEY, SHARED_SECRET.
 */
import { createServer } from 'node:http';
import { decodeUnverified, hmacKey, verifyJwt, CONTEXT_QSH, computeQsh } from 'atlassian-connect-next';

const { PORT = '0', BASE_URL = '', CLIENT_KEY = '', SHARED_SECRET = '' } = process.env;

async function main(): Promise<void> {
  const key = await hmacKey(SHARED_SECRET);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', BASE_URL);
    if (url.pathname === '/health') {
      res.writeHead(200).end('ok');
      return;
    }
    const auth = req.headers.authorization;
    const token = auth?.startsWith('JWT ') ? auth.slice(4) : url.searchParams.get('jwt');
    (async () => {
      if (!token) throw new Error('missing');
      const { claims } = decodeUnverified(token);
      if (claims.iss !== CLIENT_KEY) throw new Error('iss');
      const verified = await verifyJwt(token, key, { algorithm: 'HS256', leewaySeconds: 30 });
      const isApi = url.pathname.startsWith('/api/');
      if (!(isApi && verified.qsh === CONTEXT_QSH) && verified.qsh !== computeQsh(req.method ?? 'GET', url, BASE_URL)) throw new Error('qsh');
      const body = isApi
        ? JSON.stringify({ clientKey: CLIENT_KEY, accountId: verified.sub ?? null })
        : `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Checklists</title></head><body><div class="ac-content"><h1>Checklists</h1></div></body></html>`;
      res.writeHead(200, { 'content-type': isApi ? 'application/json' : 'text/html; charset=utf-8' }).end(body);
    })().catch(() => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"JWT"}}'));
  });
  server.listen(Number(PORT), '127.0.0.1');
}

void main();
