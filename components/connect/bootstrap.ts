/**
 * What the page route put into the shell for this iframe load (script#app-bootstrap): values the
 * product signed into the page URL, resolved on the server. Read once on the client.
 */
export interface Bootstrap {
  v: 1;
  module: 'panel' | 'admin';
  sessionToken: string;
  locale: string;
  /** Where the locale came from: the signed `loc`, or the Accept-Language header / fallback. */
  localeSource: 'loc' | 'header';
  timeZone?: string;
  license: { param: 'active' | 'none' | 'absent'; licensed: boolean };
  accountId: string | null;
  issue?: { id: string; key: string | null };
  project?: { id: string | null; key: string | null };
  site: { url: string; manageAppsUrl: string };
}

let cached: Bootstrap | null | undefined;

export function readBootstrap(): Bootstrap | null {
  if (cached !== undefined) return cached;
  if (typeof document === 'undefined') return null;
  const el = document.getElementById('app-bootstrap');
  try {
    cached = el?.textContent ? (JSON.parse(el.textContent) as Bootstrap) : null;
  } catch {
    cached = null;
  }
  return cached;
}

/** The bootstrap never changes after load: nothing to subscribe to (for useSyncExternalStore). */
export function noSubscribe(): () => void {
  return () => undefined;
}
