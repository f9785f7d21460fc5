import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

/** The framework's entry points; everything else under lib/connect is internal. */
const FRAMEWORK_INTERNALS = {
  group: ['@/lib/connect', '@/lib/connect/**', '**/lib/connect/**', 'atlassian-connect-next/*/**', '!atlassian-connect-next/forge/tooling'],
  message: 'Use the framework through its entry points: atlassian-connect-next, /next, /forge, /forge/tooling, /prisma, /testing.',
};

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ['.next*/**', 'lib/generated/**', 'lib/connect/dist/**', '.data/**', '.tmp/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts', 'docs/**'],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [FRAMEWORK_INTERNALS] }],
    },
  },
  {
    // The framework knows nothing of the app, the emulator or the tests: relative imports only.
    files: ['lib/connect/**/*.{ts,tsx,mts}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@/*', '@/**'], message: 'lib/connect is a package: it must not import the app (`@/…`).' },
            { group: ['**/emulator/**', '**/lib/app/**', '**/test/**', '**/components/**', '**/lib/generated/**'], message: 'lib/connect must not import the app, its tests or the emulator.' },
            { group: ['atlassian-connect-next', 'atlassian-connect-next/**'], message: 'Inside the framework, import relatively.' },
          ],
        },
      ],
    },
  },
  {
    // Only route handlers reach the composition root: Next bundles pages, layouts and
    // instrumentation as separate module graphs, where it would build a second app.
    files: ['app/**/page.tsx', 'app/**/layout.tsx', 'instrumentation.ts', 'components/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@/lib/app/root', message: 'Only route handlers (via lib/app/routes) may reach the composition root.' },
            { name: '@/lib/app/routes', message: 'Only route handlers may import the route table.' },
          ],
          patterns: [FRAMEWORK_INTERNALS],
        },
      ],
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
