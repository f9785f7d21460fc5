import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LifecycleEvent } from './lifecycle';
import type { RestEntry } from './router';
import type { Site } from './state';

/**
 * Extension point for behaviour that is not plain Connect, first of all a Forge-adopted site
 * (issue 7): its own JWKS, Forge invocation tokens on remote calls, and the adopted lifecycle
 * (no `enabled`/`disabled`, no `installed` on automatic updates, no `uninstalled` when the
 * Connect installation is replaced).
 *
 * To add it, create `emulator/forge/index.ts` exporting
 *   `export function createForgeExtension(emu: EmulatorHandle): EmulatorExtension`
 * The emulator loads it at start when the file exists; nothing else needs to change.
 */
export interface EmulatorExtension {
  readonly name: string;
  /** After the emulator listens (e.g. start a JWKS server or schedule remote calls). */
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
  /**
   * Tried before the built-in routes: return true when the request was answered. Use paths
   * under `/_emu/ext/{name}/` for control actions and e.g. `/.well-known/jwks.json` for keys.
   */
  handle?(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> | boolean;
  /** Before a lifecycle event goes to the app; 'skip' suppresses it (recorded as skipped). */
  beforeLifecycle?(event: LifecycleEvent, site: Site): Promise<'send' | 'skip' | void> | 'send' | 'skip' | void;
  afterLifecycle?(event: LifecycleEvent, site: Site, result: { status: number; ok: boolean }): Promise<void> | void;
  /** A section of HTML for the control page (already escaped). */
  controlPanel?(): string;
  /** Shown under `extensions[name]` in `GET /_emu/api/state`. */
  state?(): unknown;
  /** Called by `POST /_emu/api/reset`. */
  reset?(): Promise<void> | void;
}

/** What an extension can use of the emulator (a subset of the Emulator class). */
export interface EmulatorHandle {
  readonly url: string;
  readonly appUrl: string;
  site(product?: 'jira' | 'confluence'): Site;
  /** The acting user's accountId (undefined when anonymous). */
  actingAccountId(): string | undefined;
  /** A line for the emulator's log (stderr, or where its owner sends it). */
  log(line: string): void;
  /** Milliseconds since the epoch, as the emulator tells time. */
  now(): number;
  /**
   * Answers a request to a site's REST API that came in another way (e.g. the Forge API
   * gateway) with its own caller check: same faults, rate limits, permissions and REST log.
   */
  serveProductRest(req: IncomingMessage, res: ServerResponse, url: URL, site: Site, rel: string, entry: RestEntry): Promise<void>;
}

const FORGE_ENTRY = path.join(__dirname, '..', 'forge', 'index.ts');

/** Loads emulator/forge/index.ts when it exists (the Forge developer's extension). */
export async function loadForgeExtension(emu: EmulatorHandle): Promise<EmulatorExtension | undefined> {
  if (process.env.EMU_FORGE === '0' || !existsSync(FORGE_ENTRY)) return undefined;
  type ForgeModule = { createForgeExtension?: (emu: EmulatorHandle) => EmulatorExtension | Promise<EmulatorExtension> };
  // Under a CommonJS TypeScript hook (tsx, Playwright) require() it; otherwise (vitest) import().
  // A failed import() of a .ts file under Playwright surfaces as a test error even when caught.
  const cjsTs = typeof require === 'function' && !!require.extensions?.['.ts'];
  const mod: ForgeModule = cjsTs
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require(FORGE_ENTRY) as ForgeModule)
    : ((await import(pathToFileURL(FORGE_ENTRY).href)) as ForgeModule);
  if (typeof mod.createForgeExtension !== 'function') {
    throw new Error(`${FORGE_ENTRY} must export createForgeExtension(emu)`);
  }
  return mod.createForgeExtension(emu);
}
