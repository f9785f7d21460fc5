import { ConnectError } from '../errors';
import type { ProductClient } from './client';
import { isProductApiError, productErrorToConnectError } from './errors';
import { checkGlobalPermission } from './reads';
import type { RequestOptions } from './types';

/**
 * Server-side admin gate for Jira: the user must hold the ADMINISTER global permission, asked
 * live of the product (never cached: a demoted admin loses access at once). Fails closed: a
 * product that cannot answer yields PRODUCT_UNAVAILABLE (503), never access.
 * https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-permissions/#api-rest-api-3-permissions-check-post
 */
export async function requireJiraAdmin(
  client: ProductClient,
  clientKey: string,
  accountId: string | undefined,
  opts: Pick<RequestOptions, 'timeoutMs' | 'deadline' | 'signal'> = {},
): Promise<void> {
  if (!accountId) throw new ConnectError('ADMIN_REQUIRED', 'anonymous user');
  let admin: boolean;
  try {
    admin = await checkGlobalPermission(client.asApp(clientKey), accountId, 'ADMINISTER', opts);
  } catch (err) {
    throw isProductApiError(err) ? productErrorToConnectError(err) : err;
  }
  if (!admin) throw new ConnectError('ADMIN_REQUIRED', 'user lacks ADMINISTER');
}
