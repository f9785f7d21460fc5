import { defineConfig } from 'tsup';

/**
 * The package's build: one ESM file per entry point plus its type declarations. Dependencies
 * stay external; the consumer's bundler (Next) or Node resolves them.
 */
export default defineConfig({
  entry: {
    index: 'index.ts',
    'next/index': 'next/index.ts',
    'forge/index': 'forge/index.ts',
    'forge/tooling': 'forge/tooling.ts',
    'prisma/index': 'prisma/index.ts',
    'testing/index': 'testing/index.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { compilerOptions: { composite: false, incremental: false } },
  clean: true,
  splitting: true,
  sourcemap: false,
  treeshake: true,
  tsconfig: 'tsconfig.json',
});
