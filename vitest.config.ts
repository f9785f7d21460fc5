import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      '@': path.resolve(__dirname),
      // Outside Next's react-server build `server-only` throws on import; tests are server code.
      'server-only': path.resolve(__dirname, 'test/support/server-only-stub.ts'),
    },
  },
  test: {
    include: ['lib/**/*.test.ts', 'emulator/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 120_000,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
