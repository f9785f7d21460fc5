import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@': path.resolve(import.meta.dirname),
      // Outside Next's react-server build `server-only` throws on import; tests are server code.
      'server-only': path.resolve(import.meta.dirname, 'test/support/server-only-stub.ts'),
    },
  },
  test: {
    include: ['lib/**/*.test.ts', 'emulator/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Integration suites each start the built app; two at a time suit a 2-core machine.
    maxWorkers: 2,
    // Safety nets against a hang, not assertions: generous enough for a machine shared with
    // other builds (an embedded database opens in ~3 s idle and 30 s under load).
    testTimeout: 120_000,
    // Set-up starts the built app (its embedded database took 210 s to open at load 25).
    hookTimeout: 600_000,
    // A forgotten .only must fail the run, locally as in CI: it silently skips the rest.
    allowOnly: false,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
