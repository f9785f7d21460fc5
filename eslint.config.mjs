import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ['.next*/**', 'lib/generated/**', '.data/**', '.tmp/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts', 'docs/**'],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
];

// The product imports no tooling: the Next build reads app/, lib/, components/ (and what they
// import), never these folders. scripts/stack/build.ts relies on it to decide when to rebuild.
const tooling = ['./bench', './e2e', './emulator', './scripts', './test', './lib/connect/testing'];
config.push({
  files: ['app/**/*.{ts,tsx}', 'lib/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}', 'instrumentation.ts'],
  ignores: ['**/*.test.{ts,tsx}', 'app/**/*.bench.{ts,tsx}', 'lib/connect/testing/**'],
  rules: {
    'import/no-restricted-paths': ['error', { zones: [{ target: '.', from: tooling, message: 'Tooling (tests, emulator, benches, scripts) never ships in the product build.' }] }],
  },
});

// The framework's tests and its testing entry stand on their own like the framework: nothing from
// the app, the emulator or the app's test support, and no `@/` paths.
config.push({
  files: ['lib/connect/**/*.test.ts', 'lib/connect/testing/**/*.ts'],
  rules: {
    'import/no-restricted-paths': ['error', { zones: [{ target: './lib/connect', from: '.', except: ['./lib/connect', './node_modules'], message: 'lib/connect is a package of its own.' }] }],
    'no-restricted-imports': ['error', { patterns: [{ group: ['@/*'], message: 'lib/connect imports its own files by relative path.' }] }],
  },
});

export default config;
