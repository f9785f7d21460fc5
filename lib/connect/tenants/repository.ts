import type { SecretBox } from '../secret-box';
import type { InstallData, LifecycleRecord, Tenant, TenantRecord, TenantStore } from './types';

/**
 * The tenant store as the framework uses it: seals shared secrets before they reach the
 * adapter and opens them on the way back, so no adapter ever handles a plain secret.
 */
export class TenantRepository {
  constructor(
    private readonly store: TenantStore,
    private readonly box: SecretBox,
  ) {}

  async find(clientKey: string): Promise<Tenant | null> {
    const row = await this.store.find(clientKey);
    return row ? this.open(row) : null;
  }

  async upsertInstall(data: InstallData, now: Date): Promise<Tenant> {
    const { sharedSecret, ...rest } = data;
    return this.open(await this.store.upsertInstall({ ...rest, sharedSecretEnc: this.box.seal(sharedSecret, data.clientKey) }, now));
  }

  markUninstalled(clientKey: string, now: Date): Promise<boolean> {
    return this.store.markUninstalled(clientKey, now);
  }

  setEnabled(clientKey: string, enabled: boolean): Promise<boolean> {
    return this.store.setEnabled(clientKey, enabled);
  }

  touch(clientKey: string, now: Date): Promise<void> {
    return this.store.touch(clientKey, now);
  }

  recordLifecycle(record: LifecycleRecord): Promise<void> {
    return this.store.recordLifecycle(record);
  }

  private open(row: TenantRecord): Tenant {
    const { sharedSecretEnc, ...rest } = row;
    return { ...rest, sharedSecret: this.box.open(sharedSecretEnc, row.clientKey) };
  }
}
