import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { root } from '../lib/harness';

/**
 * atlassian-connect-express for `npm run bench:peer`, installed with npm into a scratch folder
 * (`.tmp/bench-peer/ace`, ignored by git, eslint and tsc) so it never joins the app's
 * dependencies. Exact pins: the peer is the same program in every run. express-hbs is the view
 * engine ACE's app template uses.
 */
export const ACE_VERSION = '11.5.3';
export const PEER_DEPENDENCIES: Record<string, string> = {
  'atlassian-connect-express': ACE_VERSION,
  express: '4.21.2',
  'express-hbs': '2.5.0',
};

export const aceDir = path.join(root, '.tmp/bench-peer/ace');

const installedVersion = (name: string): string | undefined => {
  try {
    return (JSON.parse(readFileSync(path.join(aceDir, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
};

/** Installs the pinned peer unless exactly these versions are there already; returns its folder. */
export function ensureAce(log: (line: string) => void = console.log): string {
  const stale = Object.entries(PEER_DEPENDENCIES).filter(([name, version]) => installedVersion(name) !== version);
  if (stale.length === 0) return aceDir;
  log(`installing ${stale.map(([n, v]) => `${n}@${v}`).join(', ')} into ${path.relative(root, aceDir)} (npm, not the app's dependencies)…`);
  mkdirSync(aceDir, { recursive: true });
  writeFileSync(path.join(aceDir, 'package.json'), JSON.stringify({ name: 'bench-peer-ace', private: true, dependencies: PEER_DEPENDENCIES }, null, 2));
  // --ignore-scripts: nothing here needs a build step; --omit=optional skips ACE's ngrok tunnel
  // (a dev-loop tool with a native binary). --workspaces=false: the repo's root package.json
  // declares workspaces, and this folder is none of them.
  const r = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--omit=optional', '--no-package-lock', '--workspaces=false'],
    { cwd: aceDir, encoding: 'utf8', timeout: 15 * 60_000 },
  );
  const still = Object.entries(PEER_DEPENDENCIES).filter(([name, version]) => installedVersion(name) !== version);
  if (r.status !== 0 || still.length > 0) {
    // A half-installed tree would be taken for a good one next time.
    rmSync(path.join(aceDir, 'node_modules'), { recursive: true, force: true });
    throw new Error(`npm install of the ACE peer failed (${r.error?.message ?? `exit ${r.status}`}):\n${(r.stderr || r.stdout || '').slice(-4000)}`);
  }
  return aceDir;
}

/** The ACE peer app's folder (server.mjs, config.json, atlassian-connect.json, views/). */
export const aceAppDir = path.join(root, 'bench/peer/ace-app');
