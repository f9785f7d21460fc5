import type { SqlClient } from '../jobs/types';

/**
 * Where the pacing budgets live (rate-pacer.ts): fixed windows per scope key (`quota:app`,
 * `burst:<site>:GET:/rest/api/3/issue/{}`, …), each with what every instance together has taken
 * of it. Instances take budget in chunks (a lease) and spend it locally, so the store is asked
 * once per chunk, not once per call.
 */
export interface BudgetStore {
  /**
   * Takes up to `want` units of `key`'s window starting at `windowStart` (epoch ms) whose limit
   * is `limit`: the units granted, at least `min`, or 0 when fewer than `min` are left. A newer
   * window starts from zero; an older one than the store's is spent.
   */
  lease(key: string, windowStart: number, limit: number, want: number, min: number): Promise<number>;
  /** The product says at least `spent` of the window is gone (its own accounting): never lowers it. */
  raise(key: string, windowStart: number, spent: number): Promise<void>;
  /** Gives back units an instance leased and will not spend (the product said fewer are left). */
  release(key: string, windowStart: number, units: number): Promise<void>;
}

/** Budgets in this process only: the embedded database's single instance, and tests. */
export class MemoryBudgetStore implements BudgetStore {
  private readonly windows = new Map<string, { start: number; spent: number }>();
  constructor(private readonly maxKeys = 20_000) {}

  async lease(key: string, windowStart: number, limit: number, want: number, min: number): Promise<number> {
    return this.leaseNow(key, windowStart, limit, want, min);
  }

  /** Synchronous, for the pacer's fallback when the shared store does not answer. */
  leaseNow(key: string, windowStart: number, limit: number, want: number, min: number): number {
    const w = this.window(key, windowStart);
    if (!w) return 0;
    const left = limit - w.spent;
    if (left < min) return 0;
    const granted = Math.min(want, left);
    w.spent += granted;
    return granted;
  }

  async raise(key: string, windowStart: number, spent: number): Promise<void> {
    const w = this.window(key, windowStart);
    if (w) w.spent = Math.max(w.spent, spent);
  }

  async release(key: string, windowStart: number, units: number): Promise<void> {
    const w = this.windows.get(key);
    if (w && w.start === windowStart) w.spent = Math.max(0, w.spent - units);
  }

  private window(key: string, start: number): { start: number; spent: number } | undefined {
    let w = this.windows.get(key);
    if (w && w.start > start) return undefined;
    if (!w || w.start < start) {
      if (!w && this.windows.size >= this.maxKeys) this.windows.clear();
      w = { start, spent: 0 };
      this.windows.set(key, w);
    }
    return w;
  }
}

/**
 * The table SqlBudgetStore needs, for apps that manage their own migrations (the reference app's
 * is prisma/migrations/20261205000000_rate_budgets; a test checks the two agree).
 */
export const RATE_BUDGET_TABLE_SQL = `
CREATE TABLE "ConnectRateBudget" (
    "key" TEXT NOT NULL,
    "windowStart" TIMESTAMPTZ(3) NOT NULL,
    "spent" INTEGER NOT NULL,
    "granted" INTEGER NOT NULL,

    CONSTRAINT "ConnectRateBudget_pkey" PRIMARY KEY ("key")
);
`;

/**
 * Budgets in the app's database, shared by every instance: one row per scope key holding the
 * current window and what the instances together took of it. A lease is one atomic upsert (the
 * row lock orders concurrent instances; `granted` returns what this statement took, computed from
 * the row as it was). The pacer calls it only when its local chunk is spent, and errors reach the
 * pacer, which then goes on alone (see RatePacer).
 */
export class SqlBudgetStore implements BudgetStore {
  constructor(private readonly sql: SqlClient) {}

  async lease(key: string, windowStart: number, limit: number, want: number, min: number): Promise<number> {
    const first = Math.min(want, limit);
    if (first < min) return 0;
    const rows = await this.sql.query<{ granted: number }>(
      `INSERT INTO "ConnectRateBudget" AS b ("key", "windowStart", "spent", "granted") VALUES ($1, $2::timestamptz, $3, $3)
       ON CONFLICT ("key") DO UPDATE SET
         "windowStart" = EXCLUDED."windowStart",
         "spent" = CASE WHEN b."windowStart" < EXCLUDED."windowStart" THEN EXCLUDED."spent" ELSE b."spent" + LEAST($4::int, $5::int - b."spent") END,
         "granted" = CASE WHEN b."windowStart" < EXCLUDED."windowStart" THEN EXCLUDED."spent" ELSE LEAST($4::int, $5::int - b."spent") END
       WHERE b."windowStart" < EXCLUDED."windowStart" OR (b."windowStart" = EXCLUDED."windowStart" AND $5::int - b."spent" >= $6::int)
       RETURNING "granted"`,
      [key, new Date(windowStart).toISOString(), first, want, limit, min],
    );
    return Number(rows[0]?.granted ?? 0);
  }

  async raise(key: string, windowStart: number, spent: number): Promise<void> {
    await this.sql.query(
      `INSERT INTO "ConnectRateBudget" AS b ("key", "windowStart", "spent", "granted") VALUES ($1, $2::timestamptz, $3, 0)
       ON CONFLICT ("key") DO UPDATE SET
         "windowStart" = EXCLUDED."windowStart",
         "spent" = CASE WHEN b."windowStart" < EXCLUDED."windowStart" THEN EXCLUDED."spent" ELSE GREATEST(b."spent", EXCLUDED."spent") END
       WHERE b."windowStart" <= EXCLUDED."windowStart"`,
      [key, new Date(windowStart).toISOString(), Math.ceil(spent)],
    );
  }

  async release(key: string, windowStart: number, units: number): Promise<void> {
    await this.sql.query(`UPDATE "ConnectRateBudget" SET "spent" = GREATEST(0, "spent" - $3::int) WHERE "key" = $1 AND "windowStart" = $2::timestamptz`, [
      key,
      new Date(windowStart).toISOString(),
      Math.floor(units),
    ]);
  }

  /** Deletes budgets whose window started before `before` (maintenance: one row per scope ever paced). */
  async prune(before: number): Promise<number> {
    const rows = await this.sql.query<{ key: string }>(`DELETE FROM "ConnectRateBudget" WHERE "windowStart" < $1::timestamptz RETURNING "key"`, [new Date(before).toISOString()]);
    return rows.length;
  }
}
