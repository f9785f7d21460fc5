import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate, and migrate deploy/status on a machine with Prisma's
// schema engine). The app applies prisma/migrations itself: see lib/db/migrate.ts.
export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/connect' },
});
