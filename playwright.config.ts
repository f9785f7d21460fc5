import { existsSync } from 'node:fs';
import { defineConfig, devices, webkit, type PlaywrightTestProject } from '@playwright/test';

/**
 * End-to-end tests through the local product emulator (emulator/). Browsers come from Debian
 * (never `npx playwright install` here); Playwright's own WebKit and Edge join when installed.
 * Each worker starts one built app + emulator pair (e2e/fixtures.ts); the build happens once in
 * e2e/global-setup.ts.
 */

const CHROMIUM = '/usr/bin/chromium';
// Without the networking flags Chromium floods the closed network (see offline-facts.md).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

function installed(executable: () => string): boolean {
  try {
    return existsSync(executable());
  } catch {
    return false;
  }
}

const projects: PlaywrightTestProject[] = [
  {
    name: 'chromium',
    use: { ...devices['Desktop Chrome'], launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } },
  },
  {
    // Firefox ESR over WebDriver BiDi (works on Playwright 1.64.1; 1.65 breaks ESR).
    name: 'firefox',
    use: { ...devices['Desktop Firefox'], browserName: 'firefox', channel: 'moz-firefox', launchOptions: { executablePath: '/usr/bin/firefox-esr' } },
  },
  {
    // A phone-sized viewport on the Debian Chromium: the tests tagged @phone.
    name: 'phone',
    grep: /@phone/,
    use: { ...devices['Pixel 7'], launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } },
  },
];

if (installed(() => webkit.executablePath())) projects.push({ name: 'webkit', use: { ...devices['Desktop Safari'] } });
if (existsSync('/opt/microsoft/msedge/msedge')) projects.push({ name: 'msedge', use: { ...devices['Desktop Edge'], channel: 'msedge' } });

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  // A test that fails once is a failure: no retries to pass it quietly (scripts/test.sh also
  // counts Playwright's "flaky" as failed, should a retry ever come back).
  retries: 0,
  // Hang guards, not targets: a Firefox test with a dozen steps took over 45 s on a loaded 2-core
  // machine. Speed is bench:paint's to measure.
  timeout: 120_000,
  expect: { timeout: 20_000 },
  forbidOnly: true,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: 'off',
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
  },
  projects,
});
