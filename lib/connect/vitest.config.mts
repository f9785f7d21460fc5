import { defineConfig } from 'vitest/config';

/** The framework's own tests: `npm test -w lib/connect`. They import nothing outside this folder. */
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});
