import 'server-only';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { db } from '@/lib/db';
import { log } from '@/lib/log';
import type { Tenant } from '@/lib/connect/tenants/types';
import type { ProductPort } from '@/lib/app/product';
import { within } from '@/lib/app/render-budget';

/**
 * Display names of the people who checked items, from the product
 * (`GET /rest/api/3/user?accountId=`). Names change rarely and panels must not wait on the
 * site: memory first, then the UserProfileCache table (which survives restarts and is what
 * the personal-data report covers), then the product within the render budget
 * (PRODUCT_RENDER_BUDGET_MS). A stale name is better than none. In the answer, `null` means
 * the product said the account does not exist; a missing key means the name could not be had
 * now (the panel shows the item without it and says some details are missing).
 */
const MEMORY_FRESH_MS = 60 * 60_000;
const DB_FRESH_MS = 24 * 60 * 60_000;
const MAX_PARALLEL = 4;

const userAnswer = z.object({ accountId: z.string(), displayName: z.string().max(255) });

interface Known {
  name: string | null;
  at: number;
}
const memory = new LRUCache<string, Known>({ max: 50_000 });
const k = (clientKey: string, accountId: string) => `${clientKey}\u0001${accountId}`;
/** Lookups in flight: concurrent panel views of the same people ask the product once. */
const inflight = new Map<string, Promise<string | null | undefined>>();

async function fetchName(product: ProductPort, tenant: Tenant, accountId: string): Promise<string | null | undefined> {
  const res = await product.asApp<unknown>(tenant, '/rest/api/3/user', { query: { accountId } });
  if (res.status === 404) return null; // deleted or never existed: known to be unknown
  if (res.status !== 200) return undefined;
  const parsed = userAnswer.safeParse(res.body);
  return parsed.success && parsed.data.accountId === accountId ? parsed.data.displayName : undefined;
}

/** Asks the product once per (site, account) at a time and caches the answer (memory, and the table for real names). */
function lookup(product: ProductPort, tenant: Tenant, accountId: string): Promise<string | null | undefined> {
  const key = k(tenant.clientKey, accountId);
  let p = inflight.get(key);
  if (p) return p;
  p = (async () => {
    const name = await fetchName(product, tenant, accountId);
    if (name === undefined) return undefined;
    memory.set(key, { name, at: Date.now() });
    if (name !== null) {
      const prisma = await db();
      await prisma.userProfileCache.upsert({
        where: { clientKey_accountId: { clientKey: tenant.clientKey, accountId } },
        create: { clientKey: tenant.clientKey, accountId, displayName: name, fetchedAt: new Date() },
        update: { displayName: name, fetchedAt: new Date() },
      });
    }
    return name;
  })().finally(() => inflight.delete(key));
  inflight.set(key, p);
  return p;
}

export interface NameLookup {
  names: Record<string, string | null>;
  /** Some names needed the product and it did not answer within the budget (stale or missing ones shown). */
  incomplete: boolean;
}

export async function lookupDisplayNames(product: ProductPort, tenant: Tenant, accountIds: string[], budgetMs: number, now = Date.now()): Promise<NameLookup> {
  const out: Record<string, string | null> = {};
  const ids = [...new Set(accountIds)].slice(0, 500);
  let missing: string[] = [];
  for (const id of ids) {
    const hit = memory.get(k(tenant.clientKey, id));
    if (hit && now - hit.at < MEMORY_FRESH_MS) out[id] = hit.name;
    else missing.push(id);
  }
  if (missing.length === 0) return { names: out, incomplete: false };

  const rows = await (await db()).userProfileCache.findMany({ where: { clientKey: tenant.clientKey, accountId: { in: missing } } });
  const stale: string[] = [];
  for (const row of rows) {
    out[row.accountId] = row.displayName;
    if (now - row.fetchedAt.getTime() < DB_FRESH_MS) memory.set(k(tenant.clientKey, row.accountId), { name: row.displayName, at: now });
    else stale.push(row.accountId);
  }
  missing = [...missing.filter((id) => !(id in out)), ...stale];
  if (missing.length === 0) return { names: out, incomplete: false };

  // Ask the product, a few at a time, and stop waiting at the budget: what arrives later is
  // still cached for the next view.
  const answered = new Set<string>();
  const work = (async () => {
    const queue = [...missing];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          const name = await lookup(product, tenant, id);
          if (name === undefined) continue;
          out[id] = name ?? out[id] ?? null;
          answered.add(id);
        } catch (err) {
          log().warn({ clientKey: tenant.clientKey, err: (err as Error).message }, 'display name lookup failed');
          return; // the site is struggling: do not hammer it with the rest of the queue
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL, missing.length) }, worker));
  })();
  await within(work, budgetMs);
  return { names: { ...out }, incomplete: missing.some((id) => !answered.has(id)) };
}

/** Forget cached names of a site (e.g. after personal data erasure). */
export function forgetDisplayNames(clientKey: string): void {
  for (const key of memory.keys()) if (key.startsWith(`${clientKey}\u0001`)) memory.delete(key);
}
