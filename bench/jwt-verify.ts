/**
 * `npm run bench:jwt`: what verifying one HS256 Connect token costs on each path of verifyJwt,
 * in one process: jose (WebCrypto's HMAC, a job on libuv's thread pool) against node:crypto's
 * HMAC on the request's thread (verifyHs256), both through verifyJwt with the same token and
 * options. Figures: main-thread CPU and wall time per token, one at a time and 32 at once (a
 * loaded server has many in flight). The measurement behind issue 13's change of HS256 off jose.
 */
import { createHmac } from 'node:crypto';
import { hmacKey, verifyJwt, type VerifyOptions } from 'atlassian-connect-next';

const SECRET = 'a-shared-secret-of-the-tenant-that-is-long-enough-to-be-real';
const N = Number(process.argv[2] ?? 20_000);

function token(): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iss: 'tenant-1', sub: 'user-1', iat: now, exp: now + 180, qsh: 'a'.repeat(64), context: { jira: { issue: { id: '10001' } } } })}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

async function measure(name: string, verify: () => Promise<unknown>, concurrency: number): Promise<{ cpu: number; wall: number }> {
  for (let i = 0; i < 2_000; i++) await verify(); // JIT, key import
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let left = N;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await verify();
    }),
  );
  const wall = ((performance.now() - t0) * 1000) / N;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / N;
  console.log(`  ${name.padEnd(34)} ${String(concurrency).padStart(2)} at once   ${cpu.toFixed(1).padStart(6)} µs CPU/token (all threads)   ${wall.toFixed(1).padStart(6)} µs wall/token`);
  return { cpu, wall };
}

void (async () => {
  const t = token();
  const opts: VerifyOptions = { algorithm: 'HS256', leewaySeconds: 30 };
  const webcrypto = await crypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const node = hmacKey(SECRET);
  console.log(`verifyJwt, HS256, ${N} tokens per line (Node ${process.version})`);
  for (const concurrency of [1, 32]) {
    const jose = await measure('jose (WebCrypto CryptoKey)', () => verifyJwt(t, webcrypto, opts), concurrency);
    const mine = await measure('node:crypto (KeyObject)', () => verifyJwt(t, node, opts), concurrency);
    console.log(`  node:crypto ÷ jose: CPU ${(mine.cpu / jose.cpu).toFixed(2)}, wall ${(mine.wall / jose.wall).toFixed(2)}\n`);
  }
})();
