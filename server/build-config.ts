import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Next's resolved configuration of a build, written beside the app server's bundle by scripts/build-server.ts. */
export const BUILD_CONFIG_FILE = 'app-server.config.json';

/**
 * Hands Next the configuration resolved when the app was built, as Next's own standalone
 * `server.js` does (`__NEXT_PRIVATE_STANDALONE_CONFIG`), instead of letting it load next.config.js
 * at start. The standalone artifact has no next.config.js (nor the files it requires), and a build
 * with `output: 'standalone'` started from next.config.js makes Next warn that `next start` cannot
 * serve it. Returns false when there is no such file (the server run from its sources): Next then
 * reads next.config.js as usual.
 */
export function applyBuildConfig(bundleDir: string): boolean {
  const file = path.join(bundleDir, BUILD_CONFIG_FILE);
  if (process.env.__NEXT_PRIVATE_STANDALONE_CONFIG || !existsSync(file)) return false;
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = readFileSync(file, 'utf8');
  return true;
}
