/**
 * `npm run dev:emulator [-- --fresh]`: the README's quick start. Builds the app when its sources
 * changed, starts it on the embedded database behind the local Jira/Confluence emulator, installs
 * it there and prints the URL to open. Ctrl-C stops everything.
 *   APP_PORT (4200), EMU_PORT (4100; install keys on EMU_PORT + 1), DATA_DIR (.tmp/emu-dev: the
 *   app's data, the emulator's site ids and both logs), DATABASE_URL (instead of the embedded
 *   database), STACK_DIST_DIR (.next-stack), STACK_REBUILD (1 = rebuild, 0 = never build).
 *   `--fresh` starts from empty data.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBuild, portFree, ROOT, startEmulatorStack, type Stack } from './index';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { fresh: { type: 'boolean', default: false } } });
  const appPort = Number(process.env.APP_PORT ?? 4200);
  const emuPort = Number(process.env.EMU_PORT ?? 4100);
  const dir = path.resolve(ROOT, process.env.DATA_DIR ?? '.tmp/emu-dev');
  if (values.fresh) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const p of [appPort, emuPort, emuPort + 1]) {
    if (!(await portFree(p))) {
      console.error(`port ${p} is in use: set APP_PORT / EMU_PORT`);
      return 1;
    }
  }

  await ensureBuild({ log: (line) => console.log(line) });
  const emuLog = path.join(dir, 'emulator.log');
  console.log(`starting the app on http://localhost:${appPort} and the emulator on http://localhost:${emuPort} (logs in ${path.relative(process.cwd(), dir) || '.'}/)…`);
  let stack: Stack;
  try {
    stack = await startEmulatorStack({
      appPort,
      emulatorPort: emuPort,
      dataDir: path.join(dir, 'app'),
      databaseUrl: process.env.DATABASE_URL,
      logFile: path.join(dir, 'app.log'),
      emulator: { stateFile: path.join(dir, 'emulator-sites.json'), log: (line) => appendFileSync(emuLog, `${line}\n`) },
    });
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
  const emu = stack.emu;
  console.log(`install into ${emu.site('jira').baseUrl}: ${stack.installed.map((r) => `${r.event} ${r.skipped ?? r.status}`).join(', ')}`);
  console.log(`
  Open ${emu.url}/browse/DEMO-1   (the issue view with the app's panel)
  Admin page, general page and the user / language / license switcher are in its header.
  Emulator controls (install, uninstall, faults, logs): ${emu.url}/_emu

  Ctrl-C stops both.
`);

  // Handlers stay installed: Ctrl-C reaches this process twice (the terminal, and tsx relaying it),
  // and the second one must not end it before everything has stopped.
  const signal = await Promise.race([
    new Promise<string>((resolve) => {
      for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => resolve(s));
    }),
    stack.app.exited.then(({ code, signal: s }) => `exit ${s ?? code}`),
  ]);
  // Ctrl-C reaches the app too (same process group) and it ends cleanly; anything else is a crash.
  const crashed = signal.startsWith('exit') && !['exit 0', 'exit SIGINT', 'exit SIGTERM', 'exit 130', 'exit 143'].includes(signal);
  if (crashed) console.error(`the app stopped on its own (${signal}):\n${stack.appOutput().slice(-4000)}`);
  await stack.stop();
  console.log('\nstopped the app and the emulator');
  return crashed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
