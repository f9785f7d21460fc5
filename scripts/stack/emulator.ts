import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Emulator, type EmulatorOptions } from '../../emulator/lib/emulator';
import { createForgeExtension } from '../../emulator/forge/index';
import { startApp, type AppServer, type StartAppOptions } from './app';
import { freePort } from './ports';

/**
 * The built app with the product emulator (emulator/) in front of it: the emulated Jira and
 * Confluence sites, their install-keys server, OAuth and Forge JWKS, the app configured to trust
 * exactly those, and the app installed into the Jira site.
 */

export interface EmulatorStackOptions extends Omit<StartAppOptions, 'port'> {
  /** Default: a free port. */
  appPort?: number;
  /** The emulated site's port (install keys on the next one). Default: any free ports. */
  emulatorPort?: number;
  /** Install the app into the Jira site once it answers. Default true. */
  install?: boolean;
  /** Emulator options: `stateFile`, `quiet`, `log`, ... */
  emulator?: Partial<Omit<EmulatorOptions, 'appUrl' | 'port'>>;
}

export interface Stack {
  emu: Emulator;
  app: AppServer;
  appUrl: string;
  dataDir: string;
  appOutput(): string;
  /** Outcome of the install into the Jira site (empty with `install: false`). */
  installed: Awaited<ReturnType<Emulator['install']>>;
  stop(): Promise<void>;
}

/** The app's settings that point it at the emulator instead of Atlassian's services. */
export function emulatorEnv(emu: Emulator): Record<string, string> {
  const port = new URL(emu.url).port;
  const forge = emu.extensions.find((e) => e.name === 'forge')?.state?.() as { appId?: string } | undefined;
  return {
    CONNECT_KEYS_CDN_URL: emu.keysUrl,
    ALLOWED_PRODUCT_HOSTS: `localhost:${port},127.0.0.1:${port}`,
    AP_JS_URL: `${emu.url}/atlassian-connect/all.js`,
    OAUTH_AUTH_SERVER_URL: emu.url,
    FORGE_JWKS_URL: `${emu.url}/.well-known/jwks.json`,
    ...(forge?.appId ? { FORGE_APP_ID: forge.appId } : {}),
  };
}

export async function startEmulatorStack(opts: EmulatorStackOptions = {}): Promise<Stack> {
  const { appPort: wantedPort, emulatorPort, install = true, emulator: emuOpts, ...appOpts } = opts;
  const appPort = wantedPort ?? (await freePort());
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'connect-stack-'));
  const keepData = opts.keepData ?? !!opts.dataDir;
  const emu = new Emulator({ quiet: true, ...emuOpts, appUrl: `http://localhost:${appPort}`, port: emulatorPort ?? 0 });
  emu.extensions.push(createForgeExtension(emu));
  const cleanData = () => {
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await emu.start();
  } catch (err) {
    cleanData();
    throw err;
  }
  let app: AppServer | undefined;
  let installed: Stack['installed'] = [];
  try {
    app = await startApp({ ...appOpts, port: appPort, dataDir, keepData: true, env: { ...emulatorEnv(emu), ...appOpts.env } });
    if (install) {
      installed = await emu.install('jira');
      if (!installed.every((r) => r.ok)) throw new Error(`the app refused the install: ${JSON.stringify(installed)}\n${app.output().slice(-4000)}`);
    }
  } catch (err) {
    await app?.stop();
    await emu.stop();
    cleanData();
    throw err;
  }
  const started = app;
  let stopping: Promise<void> | undefined;
  return {
    emu,
    app: started,
    appUrl: emu.appUrl,
    dataDir,
    appOutput: started.output,
    installed,
    stop: () =>
      (stopping ??= (async () => {
        await started.stop();
        await emu.stop();
        cleanData();
      })()),
  };
}
