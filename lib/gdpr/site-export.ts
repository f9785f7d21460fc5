import 'server-only';
import type { PrismaClient } from '@/lib/generated/prisma/client';

/**
 * The site's data as one JSON document, streamed page by page so a large site never sits in
 * memory whole. Everything the app stores about the site, except its shared secret.
 */

export const EXPORT_FORMAT = 'connect-checklists-export';
const PAGE = 1000;

type Row = Record<string, unknown>;

/** BigInt ids and Dates as JSON. */
function json(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** Pages through a table by its primary key (stable under concurrent inserts). */
async function* pages<T extends Row>(load: (cursor: T | undefined) => Promise<T[]>): AsyncGenerator<T> {
  let last: T | undefined;
  for (;;) {
    const rows = await load(last);
    for (const r of rows) yield r;
    if (rows.length < PAGE) return;
    last = rows[rows.length - 1];
  }
}

async function* array(name: string, rows: AsyncIterable<Row>, first = false): AsyncGenerator<string> {
  yield `${first ? '' : ','}\n  ${JSON.stringify(name)}: [`;
  let n = 0;
  for await (const r of rows) yield `${n++ ? ',' : ''}\n    ${json(r)}`;
  yield n ? '\n  ]' : ']';
}

export async function* exportSiteData(prisma: PrismaClient, clientKey: string, now: Date): AsyncGenerator<string> {
  const tenant = await prisma.tenant.findUnique({
    where: { clientKey },
    select: { clientKey: true, baseUrl: true, displayUrl: true, productType: true, cloudId: true, installedAt: true, enabled: true, lastSeenAt: true },
  });
  const settings = await prisma.tenantSettings.findUnique({ where: { clientKey }, select: { data: true, version: true, updatedBy: true, updatedAt: true } });
  yield `{\n  "format": ${json(EXPORT_FORMAT)},\n  "version": 1,\n  "exportedAt": ${json(now)},\n  "site": ${json(tenant)},\n  "settings": ${json(settings)}`;
  const where = { clientKey };
  yield* array(
    'checklistItems',
    pages((c) => prisma.checklistItem.findMany({ where, orderBy: { id: 'asc' }, take: PAGE, ...(c ? { cursor: { id: c.id as string }, skip: 1 } : {}), omit: { clientKey: true } })),
  );
  yield* array(
    'checklistStates',
    pages((c) =>
      prisma.checklistState.findMany({
        where,
        orderBy: { issueId: 'asc' },
        take: PAGE,
        ...(c ? { cursor: { clientKey_issueId: { clientKey, issueId: c.issueId as string } }, skip: 1 } : {}),
        omit: { clientKey: true },
      }),
    ),
  );
  yield* array(
    'preferences',
    pages((c) =>
      prisma.userPreference.findMany({
        where,
        orderBy: { accountId: 'asc' },
        take: PAGE,
        ...(c ? { cursor: { clientKey_accountId: { clientKey, accountId: c.accountId as string } }, skip: 1 } : {}),
        omit: { clientKey: true },
      }),
    ),
  );
  yield* array(
    'userProfiles',
    pages((c) =>
      prisma.userProfileCache.findMany({
        where,
        orderBy: { accountId: 'asc' },
        take: PAGE,
        ...(c ? { cursor: { clientKey_accountId: { clientKey, accountId: c.accountId as string } }, skip: 1 } : {}),
        omit: { clientKey: true },
      }),
    ),
  );
  yield* array(
    'productCache',
    pages((c) =>
      prisma.productCache.findMany({
        where,
        orderBy: { key: 'asc' },
        take: PAGE,
        ...(c ? { cursor: { clientKey_key: { clientKey, key: c.key as string } }, skip: 1 } : {}),
        omit: { clientKey: true },
      }),
    ),
  );
  yield* array(
    'lifecycleEvents',
    pages((c) => prisma.lifecycleEvent.findMany({ where, orderBy: { id: 'asc' }, take: PAGE, ...(c ? { cursor: { id: c.id as bigint }, skip: 1 } : {}), omit: { clientKey: true } })),
  );
  yield '\n}\n';
}

/** A ReadableStream over an async generator of strings (for a Response body). */
export function streamOf(chunks: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(enc.encode(value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
