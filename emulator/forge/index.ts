import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorExtension, EmulatorHandle } from '../lib/extension';
import { esc, HttpError, readBody, readJson, redirect, sendJson } from '../lib/http';
import type { Product } from '../lib/state';
import { ForgeSide, type InvokeInput } from './adopted-site';
import { handleGateway } from './gateway';

/**
 * The emulator's Forge mode (loaded by emulator/lib/extension.ts): a site can be switched to the
 * Forge version of the app ("Connect on Forge"). Its JWKS is served at `/.well-known/jwks.json`;
 * run the app with FORGE_JWKS_URL pointing there and FORGE_APP_ID set to the emulator's app id
 * (EMU_FORGE_APP_ID, else FORGE_APP_ID, else EMULATOR_FORGE_APP_ID).
 * Actions: JSON `POST /_emu/ext/forge/api/{adopt|update|invoke|rotate-key}`, or the control page;
 * for tests of the API gateway (`/ex/<product>/<cloudId>`, gateway.ts): `issue-token`
 * `{ product, kind: system|user, accountId?, ttlSeconds? }`, and `revoke-access` /
 * `restore-access` `{ product, accountId }` (the account loses / regains access to the site).
 */

const product = (v: unknown): Product => (v === 'confluence' ? 'confluence' : 'jira');

async function run(forge: ForgeSide, emuSite: EmulatorHandle['site'], action: string, b: Record<string, unknown>): Promise<unknown> {
  switch (action) {
    case 'adopt':
      return forge.adopt(product(b.product));
    case 'update':
      return forge.update(product(b.product), b.kind === 'major' ? 'major' : 'minor');
    case 'invoke':
      if (typeof b.path !== 'string') throw new HttpError(400, 'path required');
      return forge.invoke(b as unknown as InvokeInput);
    case 'rotate-key':
      return { kid: await forge.rotateKey() };
    case 'issue-token': {
      const ttl = typeof b.ttlSeconds === 'number' ? b.ttlSeconds : undefined;
      return { token: await forge.issueProductToken(product(b.product), b.kind === 'user' ? 'user' : 'system', typeof b.accountId === 'string' ? b.accountId : undefined, ttl) };
    }
    case 'revoke-access':
    case 'restore-access': {
      if (typeof b.accountId !== 'string') throw new HttpError(400, 'accountId required');
      const cloudId = emuSite(product(b.product)).cloudId;
      if (action === 'revoke-access') forge.productTokens.revokeAccess(cloudId, b.accountId);
      else forge.productTokens.restoreAccess(cloudId, b.accountId);
      return { accountId: b.accountId, access: action === 'restore-access' };
    }
    default:
      throw new HttpError(404, `unknown Forge action ${action}`);
  }
}

function panel(forge: ForgeSide, emu: EmulatorHandle): string {
  const btn = (action: string, p: Product, label: string, extra = '') =>
    `<form method="post" action="/_emu/ext/forge/action" class="emu-inline"><input type="hidden" name="action" value="${action}"><input type="hidden" name="product" value="${p}">${extra}<button type="submit" data-testid="forge-${action}-${p}">${esc(label)}</button></form>`;
  const rows = (['jira', 'confluence'] as const)
    .map((p) => {
      const st = forge.sites[p];
      const actions = st.adopted
        ? btn('update', p, 'Automatic update (minor: no callback)', '<input type="hidden" name="kind" value="minor">') +
          btn('update', p, 'Major version (avi:forge:upgraded:app)', '<input type="hidden" name="kind" value="major">') +
          btn('invoke', p, 'Call the remote (/forge/remote)', '<input type="hidden" name="path" value="/forge/remote">')
        : emu.site(p).installed
          ? btn('adopt', p, 'Switch to the Forge version')
          : '<span>install the Connect app first</span>';
      return `<tr><th scope="row">${p}</th><td data-testid="forge-status-${p}">${st.adopted ? `Forge ${esc(st.appVersion)}` : 'Connect'}</td><td><code>${esc(st.installationId ?? '-')}</code></td><td>${actions}</td></tr>`;
    })
    .join('');
  const calls = forge.calls
    .slice(-10)
    .reverse()
    .map((c) => `<tr><td>${esc(c.at.slice(11, 19))}</td><td>${esc(c.product)}</td><td>${esc(c.kind)}</td><td>${esc(c.path)}</td><td>${esc(c.status || '-')}</td><td>${esc(c.response.slice(0, 120))}</td></tr>`)
    .join('');
  return `<section class="emu-card" aria-labelledby="h-forge"><h2 id="h-forge">Forge (Connect on Forge)</h2>
<p>App id <code>${esc(forge.appId)}</code> · JWKS <code>${esc(emu.url)}/.well-known/jwks.json</code> · signing kid <code>${esc(forge.keys[0]?.kid ?? '-')}</code> ${btn('rotate-key', 'jira', 'Rotate the signing key')}</p>
<p>After the switch the site sends no <code>enabled</code>/<code>disabled</code>, no <code>installed</code> on automatic updates, and the Connect installation ends without <code>uninstalled</code>.</p>
<table class="emu-table"><thead><tr><th scope="col">site</th><th scope="col">runs</th><th scope="col">installationId</th><th scope="col">actions</th></tr></thead><tbody>${rows}</tbody></table>
<h3>Forge calls to the app</h3><div class="emu-scroll"><table class="emu-table"><thead><tr><th scope="col">time</th><th scope="col">site</th><th scope="col">call</th><th scope="col">path</th><th scope="col">status</th><th scope="col">answer</th></tr></thead><tbody>${calls || '<tr><td colspan="6">none yet</td></tr>'}</tbody></table></div></section>`;
}

export function createForgeExtension(emu: EmulatorHandle): EmulatorExtension {
  const forge = new ForgeSide(emu, process.env.EMU_FORGE_APP_ID || process.env.FORGE_APP_ID || undefined);

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const p = url.pathname;
    if (p === '/.well-known/jwks.json' && req.method === 'GET') {
      sendJson(res, 200, forge.jwks(), { 'cache-control': 'max-age=300' });
      return true;
    }
    if (await handleGateway(forge, emu, req, res, url)) return true;
    if (!p.startsWith('/_emu/ext/forge/')) return false;
    if (req.method !== 'POST') throw new HttpError(405, 'POST only');
    const origin = req.headers.origin;
    if (origin && new URL(origin).host !== req.headers.host) throw new HttpError(403, 'cross-origin post refused');
    if (p === '/_emu/ext/forge/action') {
      const form = Object.fromEntries(new URLSearchParams(await readBody(req, 64 * 1024)));
      let msg: string;
      try {
        const r = (await run(forge, (p) => emu.site(p), form.action ?? '', form)) as { kind?: string; status?: number };
        msg = `forge ${form.action}: ${r.kind ?? ''} ${r.status ?? ''}`.trim();
      } catch (err) {
        msg = `forge ${form.action} failed: ${(err as Error).message}`;
      }
      redirect(res, `/_emu?msg=${encodeURIComponent(msg)}`);
      return true;
    }
    const action = p.slice('/_emu/ext/forge/api/'.length);
    try {
      sendJson(res, 200, await run(forge, (p) => emu.site(p), action, (await readJson(req)) as Record<string, unknown>));
    } catch (err) {
      if (err instanceof HttpError) throw err;
      sendJson(res, 409, { error: (err as Error).message });
    }
    return true;
  }

  return {
    name: 'forge',
    async start() {
      await forge.init();
      if (!process.env.EMU_QUIET) emu.log(`Forge mode: run the app with FORGE_APP_ID=${forge.appId} FORGE_JWKS_URL=${emu.url}/.well-known/jwks.json`);
    },
    handle,
    // After adoption the product no longer sends enabled/disabled.
    beforeLifecycle: (event, site) => (forge.sites[site.product].adopted && (event === 'enabled' || event === 'disabled') ? 'skip' : 'send'),
    afterLifecycle: (event, site, result) => forge.afterConnectLifecycle(event, site, result.ok),
    controlPanel: () => panel(forge, emu),
    state: () => ({ appId: forge.appId, kid: forge.keys[0]?.kid ?? null, sites: forge.sites, calls: forge.calls.slice(-20) }),
    reset: () => forge.reset(),
  };
}
