/**
 * Routes that receive Forge lifecycle events from a `trigger` module with an `endpoint` on the
 * app's remote. https://developer.atlassian.com/platform/forge/events-reference/life-cycle/
 */
export const FORGE_LIFECYCLE_PATHS = {
  installed: '/forge/lifecycle/installed',
  upgraded: '/forge/lifecycle/upgraded',
} as const;

export type ForgeLifecycleEvent = keyof typeof FORGE_LIFECYCLE_PATHS;

export function isForgeLifecycleEvent(v: string): v is ForgeLifecycleEvent {
  return Object.hasOwn(FORGE_LIFECYCLE_PATHS, v);
}
