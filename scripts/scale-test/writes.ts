import type { WriteRecord } from './load';
import type { Postgres } from './postgres';
import type { WriteCheck } from './report';

/** Counts stored rows per text against what the clients sent and were told (pure). */
export function compareWrites(writes: readonly WriteRecord[], stored: ReadonlyMap<string, number>): WriteCheck {
  const acked = writes.filter((w) => w.acknowledged);
  const missing = acked.filter((w) => !stored.has(w.text));
  let duplicateRows = 0;
  for (const n of stored.values()) duplicateRows += Math.max(0, n - 1);
  return {
    attempted: writes.length,
    acknowledged: acked.length,
    acknowledgedFound: acked.length - missing.length,
    missing: missing.slice(0, 10).map((w) => w.text),
    duplicateRows,
    unacknowledgedFound: writes.filter((w) => !w.acknowledged && stored.has(w.text)).length,
  };
}

/** Reads this run's checklist items back from PostgreSQL and compares. */
export async function checkWrites(db: Postgres, runId: string, writes: readonly WriteRecord[]): Promise<WriteCheck> {
  const rows = await db.query<{ text: string; n: string }>(
    `SELECT text, count(*) AS n FROM "ChecklistItem" WHERE text LIKE $1 GROUP BY text`,
    [`${runId} %`],
  );
  return compareWrites(writes, new Map(rows.map((r) => [r.text, Number(r.n)])));
}
