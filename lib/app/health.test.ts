import { describe, expect, it } from 'vitest';
import { DatabaseUnavailable } from '@/lib/db';
import { createLogger } from '@/lib/log';
import { createHealth, live } from './health';

const log = createLogger('silent');
const KNOWN = ['0001_init', '0002_jobs'];

function health(probe: () => Promise<string[]>) {
  const calls: number[] = [];
  const h = createHealth({
    db: {
      knownMigrations: KNOWN,
      probe: (timeoutMs) => {
        calls.push(timeoutMs);
        return probe();
      },
    },
    timeoutMs: 1500,
    log,
  });
  return { h, calls };
}

async function read(res: Response) {
  return { status: res.status, cache: res.headers.get('cache-control'), body: (await res.json()) as { status: string; checks?: Record<string, string> } };
}

describe('health', () => {
  it('liveness answers 200 without touching anything', async () => {
    expect(await read(await live())).toEqual({ status: 200, cache: 'no-store', body: { status: 'ok' } });
  });

  it('is ready when the database answers within the configured deadline and every known migration is applied', async () => {
    const { h, calls } = health(async () => [...KNOWN, '0000_older_unknown']);
    const r = await read(await h.ready());
    expect(r).toEqual({ status: 200, cache: 'no-store', body: { status: 'ready', checks: { database: 'ok', migrations: 'ok', shutdown: 'no' } } });
    expect(calls).toEqual([1500]);
  });

  it('is not ready while a migration is missing', async () => {
    const { h } = health(async () => ['0001_init']);
    const r = await read(await h.ready());
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ status: 'not-ready', checks: { database: 'ok', migrations: 'pending', shutdown: 'no' } });
  });

  it('names a database that timed out or failed, and is ready again once it answers (no restart)', async () => {
    let outcome: 'timeout' | 'down' | 'up' = 'timeout';
    const { h } = health(async () => {
      if (outcome === 'timeout') throw new DatabaseUnavailable('timeout', 'no answer within 1500 ms');
      if (outcome === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      return KNOWN;
    });
    expect((await read(await h.ready())).body.checks).toEqual({ database: 'timeout', migrations: 'unknown', shutdown: 'no' });
    outcome = 'down';
    const down = await read(await h.ready());
    expect(down.status).toBe(503);
    expect(down.body.checks?.database).toBe('unreachable');
    expect(JSON.stringify(down.body)).not.toContain('ECONNREFUSED');
    outcome = 'up';
    expect((await h.ready()).status).toBe(200);
  });

  it('fails readiness from the moment shutdown begins, with the database fine', async () => {
    const { h } = health(async () => KNOWN);
    expect((await h.ready()).status).toBe(200);
    h.stopping();
    const r = await read(await h.ready());
    expect(r.status).toBe(503);
    expect(r.body.checks).toEqual({ database: 'ok', migrations: 'ok', shutdown: 'in-progress' });
  });
});
