import { lifecyclePayload, signInstallToken, signSymmetricToken, type InstallKeyPair } from './signing';
import { fetchDescriptor, type AppDescriptor } from './descriptor';
import type { EmulatorExtension } from './extension';
import { productQsh } from './qsh';
import { newSharedSecret, type LifecycleRecord, type Site } from './state';

/**
 * The product's side of the app lifecycle: `installed`/`uninstalled` signed RS256 with the
 * install key (`kid`, `aud` = app baseUrl, `qsh`), `enabled`/`disabled` HS256 with the shared
 * secret. https://developer.atlassian.com/cloud/jira/platform/connect-app-descriptor/#lifecycle
 */

export type LifecycleEvent = 'installed' | 'uninstalled' | 'enabled' | 'disabled';

export interface LifecycleDeps {
  appUrl: string;
  keyPair: InstallKeyPair;
  extensions: EmulatorExtension[];
  record: (r: LifecycleRecord) => void;
  /** Called when a site's secret changes or the site goes away (revoke OAuth tokens). */
  onSecretChange: (site: Site) => void;
}

export interface LifecycleOutcome {
  event: LifecycleEvent;
  status: number;
  ok: boolean;
  response: string;
  skipped?: string;
}

/** `secret`: the shared secret an `installed` event hands over (default: the site's current one). */
async function sendEvent(deps: LifecycleDeps, site: Site, d: AppDescriptor, event: LifecycleEvent, secret = site.sharedSecret): Promise<LifecycleOutcome> {
  const path = d.lifecycle[event];
  const at = new Date().toISOString();
  const skip = (why: string): LifecycleOutcome => {
    deps.record({ at, product: site.product, event, url: path ?? '', status: 0, response: '', skipped: why });
    return { event, status: 0, ok: true, response: '', skipped: why };
  };
  if (!path) return skip('no lifecycle URL in the descriptor');
  for (const ext of deps.extensions) {
    if ((await ext.beforeLifecycle?.(event, site)) === 'skip') return skip(`suppressed by ${ext.name}`);
  }
  const url = d.baseUrl.replace(/\/+$/, '') + path;
  const qsh = productQsh('POST', url, d.baseUrl);
  const payload = lifecyclePayload({
    appKey: d.key,
    clientKey: site.clientKey,
    baseUrl: site.baseUrl,
    eventType: event,
    sharedSecret: event === 'installed' ? secret : undefined,
    cloudId: site.cloudId,
    oauthClientId: site.oauthClientId,
    productType: site.product,
  });
  if (site.product === 'confluence') payload.description = `Atlassian Confluence at ${site.baseUrl}`;
  const signedInstall = event === 'installed' || event === 'uninstalled';
  const token =
    signedInstall && d.apiMigrations?.['signed-install'] !== false
      ? await signInstallToken({ pair: deps.keyPair, clientKey: site.clientKey, appBaseUrl: d.baseUrl, url, claims: { qsh } })
      : await signSymmetricToken({ sharedSecret: secret!, issuer: site.clientKey, qsh });
  let status = 0;
  let response = '';
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `JWT ${token}`, 'content-type': 'application/json', 'user-agent': 'Atlassian Connect (product emulator)' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(20_000),
      redirect: 'manual',
    });
    status = res.status;
    response = (await res.text()).slice(0, 500);
  } catch (err) {
    response = `request failed: ${(err as Error).message}`;
  }
  const ok = status >= 200 && status < 300;
  deps.record({ at, product: site.product, event, url, status, response });
  for (const ext of deps.extensions) await ext.afterLifecycle?.(event, site, { status, ok });
  return { event, status, ok, response };
}

async function loadTranslations(site: Site, d: AppDescriptor): Promise<void> {
  site.translations = {};
  const paths = d.translations?.paths ?? {};
  await Promise.all(
    Object.entries(paths).map(async ([locale, path]) => {
      try {
        const res = await fetch(d.baseUrl.replace(/\/+$/, '') + path, { signal: AbortSignal.timeout(5000) });
        if (res.ok) site.translations[locale] = (await res.json()) as Record<string, string>;
      } catch {
        /* a missing translation file leaves module names untranslated, as in the product */
      }
    }),
  );
}

/**
 * Install or reinstall: fetch the descriptor, post `installed` with a new shared secret, then
 * `enabled`. Like the product, the site signs with the new secret only once the app accepted
 * `installed` (until then every request it signs uses the previous one); if the app refuses, the
 * site keeps its previous installation state and secret.
 */
export async function install(deps: LifecycleDeps, site: Site): Promise<LifecycleOutcome[]> {
  const d = await fetchDescriptor(deps.appUrl);
  const before = { installed: site.installed, enabled: site.enabled, descriptor: site.descriptor };
  site.descriptor = d;
  const secret = newSharedSecret();
  await loadTranslations(site, d);
  const installed = await sendEvent(deps, site, d, 'installed', secret);
  if (!installed.ok) {
    Object.assign(site, { installed: before.installed, enabled: before.enabled, descriptor: before.descriptor ?? d });
    return [installed];
  }
  site.sharedSecret = secret;
  deps.onSecretChange(site);
  site.installed = true;
  site.installedAt = new Date().toISOString();
  const enabled = await sendEvent(deps, site, d, 'enabled');
  site.enabled = true;
  return [installed, enabled];
}

/** Uninstall: `disabled` (if enabled) then `uninstalled`; the secret is dead afterwards. */
export async function uninstall(deps: LifecycleDeps, site: Site): Promise<LifecycleOutcome[]> {
  const d = site.descriptor;
  if (!d || !site.installed) throw new Error('the app is not installed on this site');
  const out: LifecycleOutcome[] = [];
  if (site.enabled) out.push(await sendEvent(deps, site, d, 'disabled'));
  out.push(await sendEvent(deps, site, d, 'uninstalled'));
  site.installed = false;
  site.enabled = false;
  site.sharedSecret = undefined;
  deps.onSecretChange(site);
  return out;
}

export async function setEnabled(deps: LifecycleDeps, site: Site, enabled: boolean): Promise<LifecycleOutcome[]> {
  const d = site.descriptor;
  if (!d || !site.installed) throw new Error('the app is not installed on this site');
  const out = await sendEvent(deps, site, d, enabled ? 'enabled' : 'disabled');
  site.enabled = enabled;
  return [out];
}

/**
 * A site rename: the product tells the app with a new `installed` carrying the new baseUrl
 * (same clientKey and secret). The new URL is kept even if the app refuses it.
 */
export async function changeBaseUrl(deps: LifecycleDeps, site: Site, baseUrl: string): Promise<LifecycleOutcome[]> {
  site.baseUrl = baseUrl.replace(/\/+$/, '');
  const d = site.descriptor;
  if (!d || !site.installed) return [];
  return [await sendEvent(deps, site, d, 'installed')];
}
