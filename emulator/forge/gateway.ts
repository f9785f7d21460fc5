import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorHandle } from '../lib/extension';
import { sendJson } from '../lib/http';
import type { Product } from '../lib/state';
import type { ForgeSide } from './adopted-site';

/**
 * Atlassian's API gateway for Forge product calls, `<apiBaseUrl>/rest/...` with
 * `apiBaseUrl = <emulator>/ex/<product>/<cloudId>` (https://api.atlassian.com/ex/... in the
 * cloud). Confluence's API sits under `/wiki` there as on the site. The bearer is a Forge product
 * token (product-tokens.ts); past that check the call is the site's own REST API, with the same
 * faults, rate limits and permission checks as a Connect call.
 * https://developer.atlassian.com/platform/forge/remote/calling-product-apis/
 */
const GATEWAY = /^\/ex\/(jira|confluence)\/([0-9a-fA-F-]{1,64})(\/.*)?$/;

export async function handleGateway(forge: ForgeSide, emu: EmulatorHandle, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const m = GATEWAY.exec(url.pathname);
  if (!m) return false;
  const product = m[1] as Product;
  const site = emu.site(product);
  if (m[2] !== site.cloudId) {
    sendJson(res, 404, { errorMessages: [`No ${product} site with cloud id ${m[2]}`], errors: {} });
    return true;
  }
  const rest = m[3] ?? '/';
  const rel = product === 'confluence' && rest.startsWith('/wiki/') ? rest.slice('/wiki'.length) : rest;
  if (!rel.startsWith('/rest/')) {
    sendJson(res, 404, { errorMessages: [`No API at ${rest}`], errors: {} });
    return true;
  }
  await emu.serveProductRest(req, res, url, site, rel, {
    auth: 'forge',
    challenge: 'Bearer realm="Atlassian API gateway"',
    verify: (authorization) => forge.productTokens.verify(authorization, site, forge.sites[product].installationId),
  });
  return true;
}
