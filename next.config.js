// @ts-check
const securityHeaders = require('./lib/app/security-headers.json'); // eslint-disable-line @typescript-eslint/no-require-imports -- next.config.js is CommonJS

/**
 * The bench build (BENCH_BUILD=1, made by bench/lib/harness.ts) also routes `*.bench.ts(x)`
 * files: unauthenticated twins and a naive server-rendered panel the benchmarks compare
 * against. Every other build ignores those files, so they are never in the product.
 * https://nextjs.org/docs/app/api-reference/config/next-config-js/pageExtensions
 */
const benchBuild = process.env.BENCH_BUILD === '1';
const distDir = process.env.NEXT_DIST_DIR || (benchBuild ? '.next-bench' : '.next');
if (benchBuild && distDir === '.next') throw new Error('BENCH_BUILD=1 needs its own NEXT_DIST_DIR (e.g. .next-bench), never .next');

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Each test run or parallel build can use its own output folder.
  distDir,
  pageExtensions: benchBuild ? ['bench.tsx', 'bench.ts', 'tsx', 'ts'] : ['tsx', 'ts'],
  poweredByHeader: false,
  // `npm test` runs `tsc --noEmit` (and ESLint) as their own steps; the build need not repeat them.
  // Next adds `<distDir>/types` to the tsconfig it reads for every dist dir it builds into; it
  // leaves one that `extends` alone, so builds into .next-stack or .next-bench never edit tsconfig.json.
  typescript: { ignoreBuildErrors: true, tsconfigPath: 'tsconfig.next.json' },
  reactStrictMode: true,
  // The deployable artifact: Next traces what its server needs into <distDir>/standalone, and
  // scripts/build-standalone.ts adds the app server, static files, migrations and the packages the
  // app server imports. The bench build is never deployed, so it skips the copying.
  output: benchBuild ? undefined : 'standalone',
  // Trace from this folder, whatever lockfiles lie above it (a checkout inside another project).
  outputFileTracingRoot: __dirname,
  serverExternalPackages: ['@electric-sql/pglite', 'pglite-prisma-adapter', 'pino', 'pg'],
  async headers() {
    // The same list the app server (server/) adds to the routes it answers itself. Browsers ignore
    // HSTS received over plain http (RFC 6797 §8.1), so sending it always is safe in development
    // and cannot be forgotten in production.
    const common = Object.entries(securityHeaders).map(([key, value]) => ({ key, value }));
    return [{ source: '/:path*', headers: common }];
  },
};

module.exports = nextConfig;
