// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // Each test run or parallel build can use its own output folder.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  reactStrictMode: true,
  serverExternalPackages: ['@electric-sql/pglite', 'pglite-prisma-adapter', 'pino', 'pg'],
  async headers() {
    const common = [
      { key: 'X-Content-Type-Options', value: 'nosniff' },
      { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
    ];
    if (process.env.APP_ENV === 'production' || (!process.env.APP_ENV && process.env.NODE_ENV === 'production')) {
      common.push({ key: 'Strict-Transport-Security', value: 'max-age=63072000; includeSubDomains' });
    }
    return [{ source: '/:path*', headers: common }];
  },
};

module.exports = nextConfig;
