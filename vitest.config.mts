import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      // The framework's entry points, from source (tsconfig.json maps them the same way).
      { find: /^atlassian-connect-next$/, replacement: path.resolve(import.meta.dirname, 'lib/connect/index.ts') },
      { find: /^atlassian-connect-next\/forge\/tooling$/, replacement: path.resolve(import.meta.dirname, 'lib/connect/forge/tooling.ts') },
      { find: /^atlassian-connect-next\/(.+)$/, replacement: path.resolve(import.meta.dirname, 'lib/connect/$1/index.ts') },
      { find: /^@\//, replacement: `${path.resolve(import.meta.dirname)}/` },
      // Outside Next's react-server build `server-only` throws on import; tests are server code.
      { find: 'server-only', replacement: path.resolve(import.meta.dirname, 'test/support/server-only-stub.ts') },
    ],
  },
  test: {
    include: ['lib/**/*.test.ts', 'emulator/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts', 'server/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'lib/connect/dist/**'],
    environment: 'node',
    pool: 'forks',
    // Integration suites each start the built app; two at a time suit a 2-core machine.
    maxWorkers: 2,
    // Safety nets against a hang, not assertions: generous enough for a machine shared with
    // other builds (an embedded database opens in ~3 s idle and 30 s under load).
    testTimeout: 120_000,
    // Set-up may first wait for the run's one build of the app (scripts/stack builds it when the
    // sources changed; `npm test` builds it before this stage), then starts it (its embedded
    // database took 210 s to open at load 25).
    hookTimeout: 600_000,
    // A forgotten .only must fail the run, locally as in CI: it silently skips the rest.
    allowOnly: false,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
