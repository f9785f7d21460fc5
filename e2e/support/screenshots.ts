import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Locator, TestInfo } from '@playwright/test';

/**
 * The README's screenshots. Test runs write them to `.tmp/screenshots/` (ignored), never over
 * the tracked copies in `docs/screenshots/`; `npm run screenshots` runs the tests tagged
 * `@readme` on Chromium and copies the fresh images there.
 */
export const SCREENSHOT_DIR = path.join(__dirname, '..', '..', '.tmp', 'screenshots');
export const README_TAG = '@readme';

/** Saves `locator` as `name` (e.g. `issue-panel.png`) when running on the Chromium project. */
export async function readmeScreenshot(testInfo: TestInfo, locator: Locator, name: string): Promise<void> {
  if (testInfo.project.name !== 'chromium') return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await locator.screenshot({ path: path.join(SCREENSHOT_DIR, name) });
}
