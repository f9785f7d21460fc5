/**
 * `npm run backfill:properties [-- --dry-run] [--site <clientKey>] [--rate N] [--limit N] [--restart]`
 * Writes the checklist issue property (lib/checklists/issue-property.ts) for every issue that
 * has a checklist, on every installed Jira site: for checklists made before the app wrote
 * properties, or after restoring a backup. Same configuration as the app (lib/env.ts).
 *
 *   --dry-run   counts what would be written; writes nothing, calls nothing
 *   --site      one site only
 *   --rate      property writes per second (default 5; one site at a time)
 *   --limit     stop after N writes (continue later: the next run resumes)
 *   --restart   ignore where the last run stopped and write everything again
 *
 * Resumable: stopped (Ctrl-C), limited or failed runs continue after the last issue written.
 * With the embedded database the app's process owns the database: stop the app first (or use
 * PostgreSQL, where this runs beside any number of instances; one backfill runs at a time).
 *
 * Exit codes: 0 done (or paused by --limit, or another backfill is running), 1 some sites
 * failed or the run was interrupted, 2 configuration or database unavailable.
 */
import { parseArgs } from 'node:util';

process.env.LOG_LEVEL ??= 'warn';

const USAGE = 'usage: npm run backfill:properties -- [--dry-run] [--site <clientKey>] [--rate N] [--limit N] [--restart]';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        'dry-run': { type: 'boolean', short: 'n', default: false },
        site: { type: 'string' },
        rate: { type: 'string', default: '5' },
        limit: { type: 'string' },
        restart: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const rate = Number(args.rate);
  const limit = args.limit === undefined ? undefined : Number(args.limit);
  if (!(rate > 0 && rate <= 100)) return fail(`--rate must be a number of writes per second, 0 < rate ≤ 100\n${USAGE}`);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) return fail(`--limit must be a positive integer\n${USAGE}`);

  const [{ ConfigError, readEnv }, { EmbeddedDbLockedError }, { createLogger }] = await Promise.all([import('@/lib/env'), import('@/lib/db/embedded-lock'), import('@/lib/log')]);
  let e;
  try {
    e = readEnv();
  } catch (err) {
    return fail(err instanceof ConfigError ? err.message : String(err));
  }
  const appLog = createLogger(e.LOG_LEVEL);
  const { openAppDatabase } = await import('@/lib/db');
  let db;
  try {
    db = await openAppDatabase(e, appLog);
  } catch (err) {
    if (err instanceof EmbeddedDbLockedError) return fail(`${err.message}\nStop the app first: with the embedded database only one process can open it.`);
    return fail(`cannot open the database: ${(err as Error).message}`);
  }
  const [{ backfillProperties }, { putChecklistProperty }, { checklistPropertyKey }, { createAppConnect }] = await Promise.all([
    import('@/lib/checklists/backfill'),
    import('@/lib/checklists/issue-events'),
    import('@/lib/checklists/issue-property'),
    import('@/lib/app/app-connect'),
  ]);
  // The app's own Connect configuration (tenant store, sealed secrets, product client settings);
  // this command waits out Retry-After itself, so its client does not retry.
  const product = createAppConnect(e, appLog, db).productClient({ retry: { maxRetries: 0 } });
  const propertyKey = checklistPropertyKey(e.APP_KEY);
  const stop = new AbortController();
  process.once('SIGINT', () => {
    console.error('stopping after the current write (the next run continues from there)…');
    stop.abort();
  });
  const log = {
    info: (obj: object, msg?: string) => process.stderr.write(`${JSON.stringify({ level: 'info', msg, ...obj })}\n`),
    warn: (obj: object, msg?: string) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...obj })}\n`),
    error: (obj: object, msg?: string) => process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...obj })}\n`),
  };
  try {
    const r = await backfillProperties(
      {
        prisma: db.prisma,
        log,
        write: (clientKey, issueId, value) => putChecklistProperty(product.asApp(clientKey), issueId, propertyKey, value),
      },
      { dryRun: args['dry-run'], site: args.site, ratePerSecond: rate, limit, restart: args.restart, signal: stop.signal },
    );
    if (r.outcome === 'busy') {
      console.log('another backfill is running; nothing done');
      return 0;
    }
    const lines = [r.outcome === 'dry-run' ? `dry run: nothing was written (property ${propertyKey})` : `backfill ${r.outcome} (property ${propertyKey}, ${rate}/s)`];
    for (const s of r.sites) {
      lines.push(
        r.outcome === 'dry-run'
          ? `  site ${s.site}  would write ${s.pending}`
          : `  site ${s.site}  written ${s.written}  issue gone ${s.gone}  of ${s.pending} pending${s.error ? `  FAILED: ${s.error} (run again to continue)` : ''}`,
      );
    }
    if (!r.sites.length) lines.push('  no installed Jira site');
    if (r.outcome === 'paused') lines.push('paused at --limit: run again to continue');
    console.log(lines.join('\n'));
    return r.outcome === 'failed' || r.outcome === 'interrupted' ? 1 : 0;
  } finally {
    await db.close();
  }
}

function fail(message: string): number {
  console.error(message);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`backfill failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
