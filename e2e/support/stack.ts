import path from 'node:path';
import { pickPort, ROOT, startEmulatorStack, type Stack } from '../../scripts/stack';

/**
 * One app + emulator pair per Playwright worker (scripts/stack starts it), on ports from this
 * suite's ranges: emulator 4120–4199 (install keys on +1), app 4220–4299. Fresh embedded data
 * under .tmp/ (E2E_KEEP_DATA=1 keeps it), or E2E_DATABASE_URL.
 */

export { pickPort, ROOT, type Stack };

export async function startStack(index: number): Promise<Stack> {
  const emulatorPort = await pickPort(4120 + index * 4, 4200, 8, true);
  const appPort = await pickPort(4220 + index, 4300, 8);
  return startEmulatorStack({
    appPort,
    emulatorPort,
    dataDir: path.join(ROOT, '.tmp', `emu-e2e-${process.pid}-${index}`),
    keepData: !!process.env.E2E_KEEP_DATA,
    databaseUrl: process.env.E2E_DATABASE_URL,
    logLevel: process.env.E2E_APP_LOG_LEVEL ?? 'warn',
  });
}
