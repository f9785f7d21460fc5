import type { Page } from '@playwright/test';

/**
 * The e2e no-errors rule: every uncaught exception and every console.error in the browser, from
 * the app's iframes and from the product page, is collected; at the end of each test anything
 * not on the list below, and not acknowledged by the test, fails it (e2e/fixtures.ts).
 */

export interface BrowserError {
  kind: 'console.error' | 'pageerror';
  text: string;
  /** The script (or resource) the console names, or the error's first stack frame. */
  where: string;
}

/**
 * Product-side lines Atlassian's connect-host.js logs on a page without Atlassian's own services.
 * Matched on both the text and the script it comes from (the product page's copy of the library,
 * never the app's frames). Nothing else is forgiven.
 */
const PRODUCT_NOISE: { text: RegExp; where: RegExp; why: string }[] = [
  {
    // The host checks Statsig feature gates (e.g. acjs_iframe_click_analytics) when it loads and
    // creates iframes; a product initialises Statsig first, the emulator has no Statsig service.
    text: /^\[ACJS\] Feature flag service is not initialised\. Default flag '[\w.-]+' to false$/,
    where: /\/_emu\/vendor\/connect-host\.js(?::\d+)*$/,
    why: 'no feature-gate service in the emulator',
  },
];

export interface ErrorCollector {
  all(): BrowserError[];
  /** Errors that fail the test: not product noise, not acknowledged. */
  unexpected(): BrowserError[];
  /** A test that provokes an error on purpose says so; returns how many it matched. */
  acknowledge(match: RegExp): number;
}

function firstFrame(stack: string | undefined): string {
  const line = (stack ?? '').split('\n').find((l) => /https?:\/\//.test(l));
  return line?.trim() ?? '';
}

export function collectErrors(page: Page): ErrorCollector {
  const seen: (BrowserError & { acknowledged?: boolean })[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location();
    seen.push({ kind: 'console.error', text: msg.text(), where: loc.url ? `${loc.url}:${loc.lineNumber}:${loc.columnNumber}` : '' });
  });
  page.on('pageerror', (err) => seen.push({ kind: 'pageerror', text: `${err.name}: ${err.message}`, where: firstFrame(err.stack) }));
  const noise = (e: BrowserError) => e.kind === 'console.error' && PRODUCT_NOISE.some((n) => n.text.test(e.text) && n.where.test(e.where));
  return {
    all: () => seen.map((e) => ({ ...e })),
    unexpected: () => seen.filter((e) => !e.acknowledged && !noise(e)),
    acknowledge: (match) => {
      let n = 0;
      for (const e of seen) {
        if (!e.acknowledged && match.test(e.text)) {
          e.acknowledged = true;
          n++;
        }
      }
      return n;
    },
  };
}

/** Chromium's console line for a fetch the server answered with `status` (a test that provokes one acknowledges it). */
export function refusedRequest(status: number): RegExp {
  return new RegExp(`^Failed to load resource: the server responded with a status of ${status}\\b`);
}
