/**
 * `npm run purge [-- --dry-run] [-- --limit N]`: removes the data of sites uninstalled more than
 * RETENTION_DAYS ago (see lib/retention/purge.ts). Same configuration as the app (lib/env.ts).
 *
 * With the embedded database (no DATABASE_URL) the app's process owns the database: while the
 * app runs this command stops with the lock message, and the app's own schedule
 * (PURGE_INTERVAL_MINUTES) does the purge. With PostgreSQL it can run next to any number of
 * app instances; the JobRun lease lets one purger work at a time.
 *
 * Exit codes: 0 done (or another purge is running), 1 some sites failed, 2 configuration or
 * database unavailable.
 */
import path from 'node:path';
import { ConfigError, parseEnv } from '@/lib/env';
import { openDatabase } from '@/lib/db/open';
import { EmbeddedDbLockedError } from '@/lib/db/embedded-lock';
import { purgeExpiredTenants, type PurgeResult } from '@/lib/retention/purge';
import type { ConnectLogger } from 'atlassian-connect-next';

const USAGE = 'usage: npm run purge [-- --dry-run] [-- --limit N]';

function args(argv: string[]): { dryRun: boolean; limit?: number } {
  const out: { dryRun: boolean; limit?: number } = { dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run' || a === '-n') out.dryRun = true;
    else if (a === '--limit') out.limit = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new ConfigError(`unknown argument ${a}\n${USAGE}`);
  }
  if (out.limit !== undefined && (!Number.isInteger(out.limit) || out.limit < 1)) throw new ConfigError(`--limit must be a positive integer\n${USAGE}`);
  return out;
}

/** Structured lines on stderr; the human summary goes to stdout. */
const stderrLog: ConnectLogger = {
  info: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'info', msg, ...obj })}\n`),
  warn: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...obj })}\n`),
  error: (obj, msg) => process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...obj })}\n`),
};

function summary(r: PurgeResult, retentionDays: number): string {
  const lines = [`retention: ${retentionDays} days after uninstall (cutoff ${r.cutoff.toISOString()})`];
  if (r.outcome === 'busy') return [...lines, 'another purge is running; nothing done'].join('\n');
  if (r.outcome === 'dry-run') {
    lines.push(`dry run: ${r.candidates.length} site(s) would be purged; nothing was changed`);
    for (const c of r.candidates) {
      const rows = Object.entries(c.counts).map(([k, v]) => `${k}=${v}`).join(' ');
      lines.push(`  ${c.clientKey}  uninstalled ${c.uninstalledAt.toISOString()}  ${rows}`);
    }
  } else {
    lines.push(`purged ${r.purged.length} site(s)${r.failed ? `, ${r.failed} failed (unchanged, retried next run)` : ''}`);
    for (const p of r.purged) lines.push(`  site ${p.tenant}  ${Object.entries(p.counts).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  }
  if (r.stillCalling) lines.push(`${r.stillCalling} site(s) past retention are still calling the app and were kept`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  let opts: ReturnType<typeof args>;
  let e: ReturnType<typeof parseEnv>;
  try {
    opts = args(process.argv.slice(2));
    e = parseEnv(process.env);
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  let database;
  try {
    database = await openDatabase({ databaseUrl: e.DATABASE_URL, dataDir: path.resolve(e.DATA_DIR) });
  } catch (err) {
    if (err instanceof EmbeddedDbLockedError) {
      console.error(`${err.message}\nWhile the app runs on the embedded database, its own schedule purges (PURGE_INTERVAL_MINUTES=${e.PURGE_INTERVAL_MINUTES}).`);
    } else {
      console.error(`cannot open the database: ${(err as Error).message}`);
    }
    return 2;
  }
  try {
    const r = await purgeExpiredTenants({ prisma: database.prisma, now: new Date(), retentionDays: e.RETENTION_DAYS, dryRun: opts.dryRun, limit: opts.limit, log: stderrLog });
    console.log(summary(r, e.RETENTION_DAYS));
    return r.failed ? 1 : 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`purge failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
