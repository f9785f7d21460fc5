import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import path from 'node:path';
import { pickPort, ROOT, startStack, type Stack } from '../support/stack';
import { Session } from './webdriver';

/**
 * Safari-engine smoke test: Playwright's WebKit cannot be installed here, so WebKitGTK's
 * MiniBrowser (Debian `webkit2gtk-driver`, under `xvfb-run`) is driven over plain WebDriver
 * through the emulator: general page with a valid page JWT, the issue panel rendering, adding
 * an item, the iframe resizing, and an AP.js context token the app accepts.
 *   npm run test:webkit        (apt-get install -y webkit2gtk-driver xvfb)
 */

// Debian installs MiniBrowser under the multiarch triplet of the machine.
const TRIPLET: Partial<Record<string, string>> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
const MINIBROWSER = `/usr/lib/${TRIPLET[process.arch] ?? `${process.arch}-linux-gnu`}/webkit2gtk-4.1/MiniBrowser`;

async function startDriver(port: number): Promise<ChildProcess> {
  const args = [`--port=${port}`];
  const log = openSync(path.join(ROOT, '.tmp', 'webkit-driver.log'), 'w');
  // detached: its own process group, so xvfb-run, Xvfb and the driver stop together.
  const opts = { stdio: ['ignore', log, log] as ['ignore', number, number], detached: true };
  const child = process.env.DISPLAY ? spawn('WebKitWebDriver', args, opts) : spawn('xvfb-run', ['-a', 'WebKitWebDriver', ...args], opts);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`http://localhost:${port}/status`, { signal: AbortSignal.timeout(1000) })).ok) return child;
    } catch (err) {
      if (process.env.WEBKIT_DEBUG) process.stderr.write(`status: ${(err as Error).message} ${String((err as { cause?: unknown }).cause)}\n`);
    }
    if (Date.now() > deadline) {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
      throw new Error('WebKitWebDriver did not start');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const results: { check: string; ok: boolean; ms: number; detail?: string }[] = [];

async function check(name: string, fn: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await fn();
    results.push({ check: name, ok: true, ms: Date.now() - started });
  } catch (err) {
    results.push({ check: name, ok: false, ms: Date.now() - started, detail: (err as Error).message });
  }
}

async function main(): Promise<void> {
  // scripts/test.sh reports the stage as skipped with the text after "skipped: ".
  if (!existsSync('/usr/bin/WebKitWebDriver')) {
    process.stdout.write('skipped: WebKitWebDriver is not installed (apt-get install -y webkit2gtk-driver xvfb)\n');
    return;
  }
  if (!existsSync(MINIBROWSER)) {
    process.stdout.write(`skipped: no WebKitGTK MiniBrowser at ${MINIBROWSER} (architecture ${process.arch})\n`);
    return;
  }
  const started = Date.now();
  let stack: Stack | undefined;
  let driver: ChildProcess | undefined;
  let s: Session | undefined;
  try {
    stack = await startStack(7);
    const emu = stack.emu;
    // Not 4190: fetch refuses it (a "bad port", ManageSieve).
    const port = await pickPort(4192, 4200, 1);
    driver = await startDriver(port);
    s = await Session.create(`http://localhost:${port}`, { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } });
    const session = s;
    const appKey = emu.site('jira').descriptor!.key;

    await check('general page in its iframe with a valid page JWT', async () => {
      await session.go(`${emu.url}/plugins/servlet/ac/${appKey}/checklists-home?as=admin&loc=en&lic=active`);
      await session.frame(await session.find('iframe[data-testid="ac-frame-checklists-home"]'));
      const text = await session.text(await session.find('[data-testid="general-tenant"]'));
      if (text !== emu.site('jira').baseUrl) throw new Error(`tenant line says ${text}`);
    });

    await check('AP.js context token accepted by the app', async () => {
      const out = await session.executeAsync<{ status: number; kind?: string }>(
        `const done = arguments[arguments.length - 1];
         AP.context.getToken().then((t) => fetch('/api/context', { headers: { authorization: 'JWT ' + t } }))
           .then((r) => r.json().then((j) => done({ status: r.status, kind: j.tokenKind })), (e) => done({ status: 0, kind: String(e) }));`,
      );
      if (out.status !== 200 || out.kind !== 'context') throw new Error(JSON.stringify(out));
      await session.top();
    });

    await check('issue panel renders, adds an item, and the iframe resizes', async () => {
      await session.go(`${emu.url}/browse/DEMO-1?as=user&loc=de&lic=active`);
      const iframe = await session.find('iframe[data-testid="ac-frame-checklist-panel"]');
      await session.frame(iframe);
      await session.find('[data-testid="panel-ready"]');
      const lang = await session.execute<string>('return document.documentElement.lang');
      if (lang !== 'de') throw new Error(`html lang ${lang}`);
      // WebKit lets a cross-origin iframe take focus only after a user gesture: click, then type
      // with key actions (element "send keys" calls the field "not focusable" before that).
      // (A click before the page has wired the field can leave focus elsewhere, and the keys then
      // go nowhere: click until the field has focus, and check the text arrived before submitting.)
      const input = await session.find('[data-testid="checklist-add-input"]');
      const field = `document.querySelector('[data-testid="checklist-add-input"]')`;
      await session.waitFor('the add field to take focus', async () => {
        await session.click(input);
        return session.execute<boolean>(`return document.activeElement === ${field}`);
      });
      await session.keys('Safari engine item');
      await session.waitFor('the typed text in the add field', () => session.execute<boolean>(`return ${field}.value === 'Safari engine item'`));
      await session.click(await session.find('[data-testid="checklist-add-submit"]'));
      await session.waitFor('the new item', async () => (await session.execute<string>('return document.body.innerText')).includes('Safari engine item'));
      await session.waitFor('the iframe to fit its content', () =>
        session.execute<boolean>(
          `const el = document.querySelector('.ac-content');
           return document.documentElement.scrollHeight <= window.innerHeight + 1 && window.innerHeight - el.getBoundingClientRect().bottom <= 24;`,
        ),
      );
      await session.top();
      const count = Number(await session.attribute(iframe, 'data-resize-count'));
      if (!(count >= 1)) throw new Error('the host never resized the iframe');
    });
  } finally {
    await s?.close();
    if (driver?.pid) {
      try {
        process.kill(-driver.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    await stack?.stop();
  }
  for (const r of results) process.stdout.write(`${r.ok ? '✓' : '✘'} [webkitgtk] ${r.check} (${r.ms} ms)${r.detail ? `\n    ${r.detail}` : ''}\n`);
  const failed = results.filter((r) => !r.ok).length;
  process.stdout.write(`${results.length - failed} passed, ${failed} failed (${Math.round((Date.now() - started) / 1000)} s)\n`);
  if (failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`webkit smoke failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
