import type { ClaimOptions, EnqueueInput, EnqueueOutcome, JobRecord, JobRun, JobStore, QueueStats, SqlClient } from './types';

/**
 * The job store on PostgreSQL (and PGlite, which runs the same SQL in one process). The table is
 * `"ConnectJob"` (DDL in the app's migrations; the columns are documented in types.ts).
 *
 * Claiming is one statement: the due rows are selected `FOR UPDATE SKIP LOCKED` and marked
 * running with a lease, so two workers (two app instances on one PostgreSQL) never take the
 * same row, and a worker that died is replaced once its lease expires. Every later change to a
 * running row is fenced by (id, lockedBy, attempts): a run whose lease was taken over cannot
 * complete or reschedule the row the new run owns.
 *
 * Times are epoch ms in the API and `timestamptz` in the table, sent as ISO strings so that no
 * driver's Date handling or session time zone is involved.
 */

const T = '"ConnectJob"';
const FIELDS = ['queue', 'clientKey', 'payload', 'status', 'runAt', 'attempts', 'failures', 'maxAttempts', 'dedupeKey', 'coalesceKey', 'coalesced', 'lockedBy', 'lastError', 'createdAt', 'updatedAt', 'finishedAt'];
const columns = (alias: string) => [`${alias}.id::text AS id`, ...FIELDS.map((f) => `${alias}."${f}"`)].join(', ');

interface Row {
  id: string;
  queue: string;
  clientKey: string;
  payload: unknown;
  status: JobRecord['status'];
  runAt: Date | string;
  attempts: number;
  failures: number;
  maxAttempts: number;
  dedupeKey: string | null;
  coalesceKey: string | null;
  coalesced: number;
  lockedBy: string | null;
  lastError: string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
  finishedAt: Date | string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (d: Date | string) => (d instanceof Date ? d.getTime() : Date.parse(d));

function toRecord(r: Row): JobRecord {
  return {
    ...r,
    payload: typeof r.payload === 'string' ? (JSON.parse(r.payload) as unknown) : r.payload,
    runAt: ms(r.runAt),
    createdAt: ms(r.createdAt),
    updatedAt: ms(r.updatedAt),
    finishedAt: r.finishedAt === null ? null : ms(r.finishedAt),
    attempts: Number(r.attempts),
    failures: Number(r.failures),
    maxAttempts: Number(r.maxAttempts),
    coalesced: Number(r.coalesced),
  };
}

const isUniqueViolation = (err: unknown) => (err as { code?: unknown })?.code === '23505';

export class SqlJobStore implements JobStore {
  constructor(private readonly sql: SqlClient) {}

  async enqueue<P>(input: EnqueueInput<P>, now: number, sql: SqlClient = this.sql): Promise<{ id: string | null; outcome: EnqueueOutcome }> {
    if (input.dedupeKey && input.coalesceKey) throw new TypeError('a job has either a dedupeKey or a coalesceKey, not both');
    const values = [input.queue, input.clientKey, JSON.stringify(input.payload), iso(input.runAt), input.maxAttempts, input.dedupeKey ?? null, input.coalesceKey ?? null, iso(now)];
    const insert = `INSERT INTO ${T} ("queue", "clientKey", "payload", "runAt", "maxAttempts", "dedupeKey", "coalesceKey", "pendingKey", "createdAt", "updatedAt")
      VALUES ($1, $2, $3::jsonb, $4::timestamptz, $5, $6, $7, $7, $8::timestamptz, $8::timestamptz)`;
    if (input.coalesceKey) {
      // A job that already ran waits for its retry (backoff or a rate limit's reset): a new
      // enqueue must not pull it earlier. One that never ran keeps the earliest time asked.
      const rows = await sql.query<{ id: string; coalesced: number }>(
        `${insert}
         ON CONFLICT ("queue", "clientKey", "pendingKey") DO UPDATE SET
           "payload" = EXCLUDED."payload",
           "coalesced" = ${T}."coalesced" + 1,
           "runAt" = CASE WHEN ${T}."attempts" = 0 THEN LEAST(${T}."runAt", EXCLUDED."runAt") ELSE ${T}."runAt" END,
           "updatedAt" = EXCLUDED."updatedAt"
         RETURNING id::text AS id, "coalesced"`,
        values,
      );
      const row = rows[0]!;
      return { id: row.id, outcome: Number(row.coalesced) === 0 ? 'created' : 'coalesced' };
    }
    if (input.dedupeKey) {
      const rows = await sql.query<{ id: string }>(`${insert} ON CONFLICT ("clientKey", "dedupeKey") DO NOTHING RETURNING id::text AS id`, values);
      return rows[0] ? { id: rows[0].id, outcome: 'created' } : { id: null, outcome: 'duplicate' };
    }
    const rows = await sql.query<{ id: string }>(`${insert} RETURNING id::text AS id`, values);
    return { id: rows[0]!.id, outcome: 'created' };
  }

  async claim(opts: ClaimOptions): Promise<JobRecord[]> {
    if (opts.limit <= 0) return [];
    const params: unknown[] = [iso(opts.now), opts.limit, opts.workerId, iso(opts.now + opts.leaseMs)];
    let queueFilter = '';
    if (opts.queues?.length) {
      params.push([...opts.queues]);
      queueFilter = `AND "queue" = ANY($5::text[])`;
    }
    // A row still `running` past its lease belongs to a worker that stopped or crashed mid-run:
    // taking it over counts that run as a failure.
    const rows = await this.sql.query<Row>(
      `WITH due AS (
         SELECT id FROM ${T}
         WHERE "status" IN ('pending', 'running') AND "runAt" <= $1::timestamptz ${queueFilter}
         ORDER BY "runAt", id
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE ${T} AS j SET
         "status" = 'running',
         "failures" = j."failures" + CASE WHEN j."status" = 'running' THEN 1 ELSE 0 END,
         "lastError" = CASE WHEN j."status" = 'running' THEN 'lease expired: the worker stopped during the run' ELSE j."lastError" END,
         "attempts" = j."attempts" + 1,
         "lockedBy" = $3,
         "pendingKey" = NULL,
         "runAt" = $4::timestamptz,
         "updatedAt" = $1::timestamptz
       FROM due WHERE j.id = due.id
       RETURNING ${columns('j')}`,
      params,
    );
    return rows.map(toRecord).sort((a, b) => a.runAt - b.runAt || Number(BigInt(a.id) - BigInt(b.id)));
  }

  private async fenced(run: JobRun, set: string, params: unknown[]): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `UPDATE ${T} SET ${set} WHERE id = $1::bigint AND "status" = 'running' AND "lockedBy" = $2 AND "attempts" = $3 RETURNING id::text AS id`,
      [run.id, run.lockedBy, run.attempts, ...params],
    );
    return rows.length === 1;
  }

  extend(run: JobRun, until: number, now: number): Promise<boolean> {
    return this.fenced(run, `"runAt" = $4::timestamptz, "updatedAt" = $5::timestamptz`, [iso(until), iso(now)]);
  }

  complete(run: JobRun, now: number): Promise<boolean> {
    return this.fenced(run, `"status" = 'done', "finishedAt" = $4::timestamptz, "updatedAt" = $4::timestamptz, "lockedBy" = NULL`, [iso(now)]);
  }

  async retry(run: JobRun, opts: { runAt: number; error: string; failed: boolean }, now: number): Promise<boolean> {
    const set = (coalesce: boolean) =>
      `"status" = 'pending', "runAt" = $4::timestamptz, "lastError" = $5, "failures" = "failures" + $6, "lockedBy" = NULL,
       "updatedAt" = $7::timestamptz, "pendingKey" = ${coalesce ? '"coalesceKey"' : 'NULL'}`;
    const params = [iso(opts.runAt), opts.error, opts.failed ? 1 : 0, iso(now)];
    try {
      // Waiting again under its key lets later enqueues merge into the retry.
      return await this.fenced(run, set(true), params);
    } catch (err) {
      // A newer job for the same key is already waiting: this one retries beside it.
      if (!isUniqueViolation(err)) throw err;
      return this.fenced(run, set(false), params);
    }
  }

  bury(run: JobRun, opts: { error: string; failed: boolean }, now: number): Promise<boolean> {
    return this.fenced(
      run,
      `"status" = 'dead', "lastError" = $4, "failures" = "failures" + $6, "finishedAt" = $5::timestamptz, "updatedAt" = $5::timestamptz, "lockedBy" = NULL`,
      [opts.error, iso(now), opts.failed ? 1 : 0],
    );
  }

  async unfinished(where: { queue: string; clientKey: string; coalesceKey: string }): Promise<JobRecord[]> {
    const rows = await this.sql.query<Row>(
      `SELECT ${columns(T)} FROM ${T}
       WHERE "clientKey" = $1 AND "queue" = $2 AND "coalesceKey" = $3 AND "status" IN ('pending', 'running')
       ORDER BY id LIMIT 10`,
      [where.clientKey, where.queue, where.coalesceKey],
    );
    return rows.map(toRecord);
  }

  async cancel(where: { clientKey: string; queue?: string; coalesceKey?: string }): Promise<number> {
    const rows = await this.sql.query<{ id: string }>(
      `DELETE FROM ${T} WHERE "clientKey" = $1 AND "status" = 'pending'
         AND ($2::text IS NULL OR "queue" = $2) AND ($3::text IS NULL OR "coalesceKey" = $3)
       RETURNING id::text AS id`,
      [where.clientKey, where.queue ?? null, where.coalesceKey ?? null],
    );
    return rows.length;
  }

  async releaseRunning(now: number, workerId?: string): Promise<number> {
    const rows = await this.sql.query<{ id: string }>(
      `UPDATE ${T} SET "status" = 'pending', "runAt" = $1::timestamptz, "failures" = "failures" + 1, "lockedBy" = NULL,
         "lastError" = 'interrupted: the process stopped during the run', "updatedAt" = $1::timestamptz
       WHERE "status" = 'running' AND ($2::text IS NULL OR "lockedBy" = $2) RETURNING id::text AS id`,
      [iso(now), workerId ?? null],
    );
    return rows.length;
  }

  async stats(now: number): Promise<QueueStats> {
    const rows = await this.sql.query<{ status: string; n: number | string; due: number | string; oldest: Date | string | null; first: Date | string | null }>(
      `SELECT "status", count(*) AS n, count(*) FILTER (WHERE "runAt" <= $1::timestamptz) AS due,
              min("createdAt") AS oldest, min("runAt") AS first
       FROM ${T} WHERE "status" IN ('pending', 'running', 'dead') GROUP BY "status"`,
      [iso(now)],
    );
    const by = new Map(rows.map((r) => [r.status, r]));
    const pending = by.get('pending');
    const due = Number(pending?.due ?? 0);
    return {
      pending: Number(pending?.n ?? 0),
      due,
      running: Number(by.get('running')?.n ?? 0),
      dead: Number(by.get('dead')?.n ?? 0),
      oldestPendingAgeMs: pending?.oldest ? Math.max(0, now - ms(pending.oldest)) : null,
      dueLagMs: due > 0 && pending?.first ? Math.max(0, now - ms(pending.first)) : null,
    };
  }

  async prune(opts: { doneBefore: number; deadBefore: number; limit: number }): Promise<number> {
    const rows = await this.sql.query<{ id: string }>(
      `DELETE FROM ${T} WHERE id IN (
         SELECT id FROM ${T}
         WHERE ("status" = 'done' AND "finishedAt" < $1::timestamptz) OR ("status" = 'dead' AND "finishedAt" < $2::timestamptz)
         LIMIT $3)
       RETURNING id::text AS id`,
      [iso(opts.doneBefore), iso(opts.deadBefore), opts.limit],
    );
    return rows.length;
  }
}
