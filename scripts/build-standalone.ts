import { copyFile, cp, lstat, mkdir, readlink, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { nodeFileTrace } from '@vercel/nft';
import { BUILD_CONFIG_FILE } from '../server/build-config';

/**
 * Completes `<distDir>/standalone` (Next's `output: 'standalone'`) into the deployable artifact the
 * app server runs from on its own: `cd standalone && node app-server.mjs`.
 *
 * Next has traced its own server and the packages of its route handlers into it. This adds what
 * the app server needs beyond that: its bundle and the build config beside it
 * (server/build-config.ts), `<distDir>/static` and `public/` (Next's standalone leaves them to a
 * CDN; the app server serves them), the SQL migrations applied at start (lib/db/migrate.ts reads
 * them from `prisma/migrations` under the working directory), and every package the bundle imports
 * at run time, traced with @vercel/nft from the bundle itself rather than listed by hand. Next's own
 * package is left out of that trace: Next traced the server it ships (`next-server.js.nft.json`),
 * and following `next` again would drag in its dev server and compilers.
 *   tsx scripts/build-standalone.ts [distDir]      (npm run build and the stack build run it after build-server.ts)
 */

export interface StandaloneResult {
  dir: string;
  /** Files (and links) the trace of the app server added. */
  traced: number;
  seconds: number;
}

/** Files Next traced already, or that the bundle never loads at run time. */
const NOT_TRACED = ['node_modules/next/**', 'node_modules/@next/**', 'node_modules/typescript/**'];

async function copyEntry(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  const st = await lstat(from);
  if (st.isSymbolicLink()) {
    // Links stay links (their targets are traced too); one already there is Next's copy of it.
    await symlink(await readlink(from), to).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } else if (st.isFile()) await copyFile(from, to);
}

export async function buildStandalone(root: string, distDir: string): Promise<StandaloneResult> {
  const started = performance.now();
  const dist = path.join(root, distDir);
  const out = path.join(dist, 'standalone');
  const bundle = path.join(dist, 'app-server.mjs');
  if (!(await stat(path.join(out, distDir, 'BUILD_ID')).catch(() => null))) {
    throw new Error(`${path.relative(root, out)} has no Next build: next.config.js must set output: 'standalone' and next build must have run`);
  }
  // The app server replaces Next's standalone server.js: one way to start the artifact.
  await rm(path.join(out, 'server.js'), { force: true });
  await copyFile(bundle, path.join(out, 'app-server.mjs'));
  await copyFile(path.join(dist, BUILD_CONFIG_FILE), path.join(out, BUILD_CONFIG_FILE));
  await cp(path.join(dist, 'static'), path.join(out, distDir, 'static'), { recursive: true });
  await cp(path.join(root, 'public'), path.join(out, 'public'), { recursive: true });
  await cp(path.join(root, 'prisma', 'migrations'), path.join(out, 'prisma', 'migrations'), { recursive: true });

  const { fileList, warnings } = await nodeFileTrace([bundle], { base: root, processCwd: root, ignore: NOT_TRACED, conditions: ['node', 'import', 'default'] });
  const rel = path.relative(root, bundle);
  const files = [...fileList].filter((f) => f !== rel);
  // nft also finds the migrations (migrate.ts joins process.cwd() with a literal path), copied above.
  const outside = files.filter((f) => !f.startsWith('node_modules/') && !f.startsWith('prisma/migrations/'));
  if (outside.length) throw new Error(`the app server's trace reaches files outside node_modules (the bundle should hold the app's code):\n  ${outside.join('\n  ')}`);
  for (const w of warnings) {
    // A dynamic require nft cannot follow is reported, never fatal: the standalone test runs the artifact.
    if (!/Failed to resolve dependency/.test(w.message)) console.warn(`standalone trace: ${w.message}`);
  }
  const CONCURRENCY = 32;
  for (let i = 0; i < files.length; i += CONCURRENCY) {
    await Promise.all(files.slice(i, i + CONCURRENCY).map((f) => copyEntry(path.join(root, f), path.join(out, f))));
  }
  return { dir: out, traced: files.length, seconds: (performance.now() - started) / 1000 };
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  const distDir = process.argv[2] ?? process.env.NEXT_DIST_DIR ?? '.next';
  buildStandalone(root, distDir).then(
    (r) => console.log(`assembled ${path.relative(root, r.dir)} (${r.traced} files traced from the app server) in ${r.seconds.toFixed(1)} s`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
