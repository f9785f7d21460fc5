import { ensureBuild } from '../../scripts/stack/build';

/**
 * Vitest's global setup (main process, before the test workers start). Suites that start the app
 * build it when its sources changed (scripts/stack, one build for all workers); STACK_REBUILD=1
 * forces one rebuild here for the whole run rather than one per worker.
 */
export default async function setup(): Promise<void> {
  if (process.env.STACK_REBUILD !== '1') return;
  await ensureBuild({ mode: 'always' });
  process.env.STACK_REBUILD = '';
}
