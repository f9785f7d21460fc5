import { ensureBuild } from '../scripts/stack';

/** Builds the app once for all workers when its sources changed (scripts/stack/build.ts; STACK_REBUILD=1 forces). */
export default async function globalSetup(): Promise<void> {
  await ensureBuild({ log: (line) => process.stdout.write(`e2e: ${line}\n`) });
}
