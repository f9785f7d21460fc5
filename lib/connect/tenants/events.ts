/** Why a tenant changed: a lifecycle callback, a Forge link, or something the app did itself. */
export type TenantChangeReason = 'installed' | 'uninstalled' | 'enabled' | 'disabled' | 'forge-linked' | 'data-deleted' | (string & {});

export type TenantChangeListener = (clientKey: string, reason: TenantChangeReason) => void;

/**
 * Tenant change notifications. Every cache that mirrors something about a site subscribes
 * here itself (the framework's caches and the app's), so no module keeps a list of other
 * modules' caches to clear. A failing listener never stops the others.
 */
export class TenantEvents {
  private readonly listeners = new Set<TenantChangeListener>();

  constructor(private readonly onListenerError?: (err: unknown) => void) {}

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: TenantChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(clientKey: string, reason: TenantChangeReason): void {
    for (const l of this.listeners) {
      try {
        l(clientKey, reason);
      } catch (err) {
        this.onListenerError?.(err);
      }
    }
  }
}
