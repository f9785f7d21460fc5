import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { BUILD_CONFIG_FILE } from '../server/build-config';

/**
 * Bundles the app server (server/main.ts) with the app's code into `<dist>/app-server.mjs`, next
 * to the Next build it serves. Packages stay external (resolved from node_modules at run time,
 * as Next's own server does); tsconfig.json's paths resolve `@/…` and the framework's entry
 * points to their sources; `server-only` becomes a no-op (this is a server). Beside it goes the
 * build's resolved Next config (server/build-config.ts), which the server hands to Next instead of
 * next.config.js, as Next's standalone server.js does.
 *   tsx scripts/build-server.ts [distDir] [--bench]      (npm run build runs it after `next build`)
 */
export async function buildAppServer(root: string, distDir: string, opts: { bench?: boolean } = {}): Promise<string> {
  const outfile = path.join(root, distDir, 'app-server.mjs');
  await build({
    entryPoints: [path.join(root, 'server/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.json'),
    alias: { 'server-only': path.join(root, 'test/support/server-only-stub.ts') },
    // ESM output of CommonJS dependencies (next) and code that uses require.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    // The bench build's server also answers the bench twins (server/extra-routes.ts).
    plugins: opts.bench
      ? [{ name: 'bench-routes', setup: (b) => b.onResolve({ filter: /^\.\/extra-routes$/ }, () => ({ path: path.join(root, 'bench/app/routes.ts') })) }]
      : [],
    logLevel: 'warning',
    legalComments: 'none',
  });
  // distDir relative to the app's folder, as Next's standalone server.js writes it: the same file
  // serves the build in the repo and the standalone artifact, which keeps <distDir> at its root.
  const { config } = JSON.parse(readFileSync(path.join(root, distDir, 'required-server-files.json'), 'utf8')) as { config: Record<string, unknown> };
  writeFileSync(path.join(root, distDir, BUILD_CONFIG_FILE), JSON.stringify({ ...config, distDir: `./${distDir}` }));
  return outfile;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  buildAppServer(root, process.argv[2] ?? process.env.NEXT_DIST_DIR ?? '.next', { bench: process.argv.includes('--bench') || process.env.BENCH_BUILD === '1' }).then(
    (f) => console.log(`built ${path.relative(root, f)}`),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
