import { FakeProduct, lifecyclePayload } from 'atlassian-connect-next/testing';
import { APP_KEY, contextToken, FakeKeys, install, newSite, type Site } from '../../test/support/product';
import type { AppServer } from '../../scripts/stack';
import { fetchFresh, startApp } from '../lib/harness';
import { FORWARDED_HTTPS, issueIdOf } from './pools';
import { startAce, startBare, type AceRecord, type Cleanup, type PeerServer } from './servers';

/**
 * The three servers of the throughput mode with one tenant (the same clientKey and sharedSecret
 * everywhere) and the same checklists: the app's bench build installed by a signed install (RS256,
 * as the product installs) with `items` items on each of `issues` issues added through its API;
 * ACE with that tenant's clientInfo and the app's items for each issue as one record in its store,
 * so both API routes answer the same items; the bare verifier with the tenant's secret.
 */
export interface Stack {
  site: Site;
  /** `output()`: everything the app printed (it logs at warn and above). */
  app: PeerServer & { output(): string };
  ace: PeerServer;
  bare: PeerServer;
  /** The items each server answers for an issue. */
  items: Map<string, unknown[]>;
}

/**
 * The app's bench build with the install keys' CDN and a fake product, and one site of that
 * product installed by a signed install (RS256, as the product installs).
 */
export async function startAppWithSite(cleanup: Cleanup, opts: { nodeArgs?: string[] } = {}): Promise<{ app: AppServer; product: FakeProduct; site: Site }> {
  const keys = new FakeKeys();
  const cdn = await keys.start();
  cleanup.add(() => keys.stop());
  // The site's product answers the app's license lookups for context-JWT calls, as Jira does.
  const product = new FakeProduct();
  await product.start();
  cleanup.add(() => product.stop());
  // TRUST_PROXY=1: the app reads X-Forwarded-Proto as it would behind its TLS proxy.
  const app = await startApp({ CONNECT_KEYS_CDN_URL: cdn, ALLOWED_PRODUCT_HOSTS: new URL(product.url).host, TRUST_PROXY: '1' }, { nodeArgs: opts.nodeArgs });
  cleanup.add(() => app.stop());
  const site = newSite({ baseUrl: product.url });
  product.sites.push(site);
  await install(app.url, keys, site);
  return { app, product, site };
}

export async function startStack(cleanup: Cleanup, opts: { issues: number; items: number; nodeArgs?: string[] }): Promise<Stack> {
  const { app, site } = await startAppWithSite(cleanup, { nodeArgs: opts.nodeArgs });

  const items = await seedApp(app.url, site, opts);
  const records: AceRecord[] = [...items].map(([issueId, list]) => ({ clientKey: site.clientKey, key: `checklist:${issueId}`, value: { items: list } }));
  const clientInfo = lifecyclePayload({ appKey: APP_KEY, clientKey: site.clientKey, baseUrl: site.baseUrl, eventType: 'installed', sharedSecret: site.sharedSecret, cloudId: site.cloudId });
  const ace = await startAce(cleanup, [clientInfo], records);
  const bare = await startBare(cleanup, site);
  return { site, app, ace, bare, items };
}

async function seedApp(appUrl: string, site: Site, opts: { issues: number; items: number }): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  for (let i = 0; i < opts.issues; i++) {
    const issueId = issueIdOf(i);
    const auth = { ...FORWARDED_HTTPS, authorization: `JWT ${await contextToken(site, 'user-seed', { issueId })}` };
    for (let k = 0; k < opts.items; k++) {
      const res = await fetchFresh(`${appUrl}/api/checklists/${issueId}/items`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ text: `Item ${k + 1} of issue ${issueId}` }),
      });
      if (res.status !== 201) throw new Error(`seeding ${issueId}: ${res.status} ${(await res.text()).slice(0, 300)}`);
    }
    const read = await fetchFresh(`${appUrl}/api/checklists/${issueId}`, { headers: auth });
    const body = (await read.json()) as { items?: unknown[] };
    if (read.status !== 200 || body.items?.length !== opts.items) throw new Error(`seeding ${issueId}: read back ${read.status} ${JSON.stringify(body).slice(0, 300)}`);
    out.set(issueId, body.items);
  }
  return out;
}
