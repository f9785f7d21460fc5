import 'server-only';
import { ConnectError } from 'atlassian-connect-next';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { Logger } from '@/lib/log';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from './schema';

/** TenantSettings rows: one per site, optimistic on `version` (0 = nothing saved yet). */

export interface StoredSettings {
  settings: Settings;
  version: number;
}

/** Raised when the admin saved over someone else's newer settings: answers 409 with the current ones. */
export class SettingsConflictError extends ConnectError {
  constructor(readonly current: StoredSettings) {
    super('CONFLICT', 'settings version mismatch', { publicMessage: 'Settings were changed by another administrator', details: { current } });
  }
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;

export function createSettingsRepository(prisma: PrismaClient, log: Pick<Logger, 'warn'>) {
  async function read(clientKey: string): Promise<StoredSettings> {
    const row = await prisma.tenantSettings.findUnique({ where: { clientKey } });
    if (!row) return { settings: DEFAULT_SETTINGS, version: 0 };
    const parsed = settingsSchema.safeParse(row.data);
    if (!parsed.success) {
      // A row written by an older schema: fall back rather than break every panel on the site.
      log.warn({ clientKey, issues: parsed.error.issues.length }, 'stored settings invalid; using defaults');
      return { settings: DEFAULT_SETTINGS, version: row.version };
    }
    return { settings: parsed.data, version: row.version };
  }

  async function write(clientKey: string, input: { version: number; settings: Settings; by: string }): Promise<StoredSettings> {
    if (input.version === 0) {
      const r = await prisma.tenantSettings.createMany({
        data: [{ clientKey, data: input.settings, version: 1, updatedBy: input.by }],
        skipDuplicates: true,
      });
      if (r.count === 1) return { settings: input.settings, version: 1 };
    } else {
      const r = await prisma.tenantSettings.updateMany({
        where: { clientKey, version: input.version },
        data: { data: input.settings, version: { increment: 1 }, updatedBy: input.by },
      });
      if (r.count === 1) return { settings: input.settings, version: input.version + 1 };
    }
    throw new SettingsConflictError(await read(clientKey));
  }

  return { read, write };
}
