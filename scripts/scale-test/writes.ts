import type { LbLogEntry } from './haproxy';
import type { WriteRecord } from './load';
import type { Postgres } from './postgres';
import type { WriteCheck } from './report';

/**
 * Counts stored rows per text against what the clients sent and were told, and says who sent a
 * duplicated write twice: HAProxy (a retry after the instance dropped the connection without an
 * answer, `retry-on empty-response`) or the client (its one retry after a transport error) (pure).
 */
export function compareWrites(writes: readonly WriteRecord[], stored: ReadonlyMap<string, number>, lbLog: readonly LbLogEntry[] = []): WriteCheck {
  const acked = writes.filter((w) => w.acknowledged);
  const missing = acked.filter((w) => !stored.has(w.text));
  const retriedByLb = new Set(lbLog.filter((e) => e.retries > 0).map((e) => e.id));
  let duplicateRows = 0;
  const duplicates = { resentByLoadBalancer: 0, resentByClient: 0, unexplained: 0 };
  for (const w of writes) {
    const extra = Math.max(0, (stored.get(w.text) ?? 0) - 1);
    if (!extra) continue;
    duplicateRows += extra;
    if (w.requestIds.some((id) => retriedByLb.has(id))) duplicates.resentByLoadBalancer += extra;
    else if (w.requestIds.length > 1) duplicates.resentByClient += extra;
    else duplicates.unexplained += extra;
  }
  return {
    duplicates,
    attempted: writes.length,
    acknowledged: acked.length,
    acknowledgedFound: acked.length - missing.length,
    missing: missing.slice(0, 10).map((w) => w.text),
    duplicateRows,
    unacknowledgedFound: writes.filter((w) => !w.acknowledged && stored.has(w.text)).length,
  };
}

/** Reads this run's checklist items back from PostgreSQL and compares. */
export async function checkWrites(db: Postgres, runId: string, writes: readonly WriteRecord[], lbLog: readonly LbLogEntry[]): Promise<WriteCheck> {
  const rows = await db.query<{ text: string; n: string }>(
    `SELECT text, count(*) AS n FROM "ChecklistItem" WHERE text LIKE $1 GROUP BY text`,
    [`${runId} %`],
  );
  return compareWrites(writes, new Map(rows.map((r) => [r.text, Number(r.n)])), lbLog);
}
