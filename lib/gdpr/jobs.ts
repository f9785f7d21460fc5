import 'server-only';
import { env } from '@/lib/env';
import { log } from '@/lib/log';
import { db } from '@/lib/db';
import { isAllowedProductUrl } from '@/lib/connect/hosts';
import { createProductClient, type ProductClient } from '@/lib/connect/product';
import { runtime } from '@/lib/app/connect';
import { forgetDisplayNames } from '@/lib/checklists/people';
import { forgetSettings } from '@/lib/settings/service';
import { runPersonalDataReport } from './reporter';

/** The scheduled personal data report, with the app's configuration and product REST client. */

let client: ProductClient | undefined;

/** A product client of its own, so a slow background job never queues behind page requests. */
function jobsProductClient(): ProductClient {
  const e = env();
  client ??= createProductClient({
    appKey: e.APP_KEY,
    resolveTenant: (clientKey) => runtime().store.find(clientKey),
    authServerUrl: e.OAUTH_AUTH_SERVER_URL,
    timeoutMs: e.PRODUCT_API_TIMEOUT_MS,
    isAllowedBaseUrl: (u) => isAllowedProductUrl(u, e.ALLOWED_PRODUCT_HOSTS),
    log: log(),
  });
  return client;
}

export async function runScheduledReport(now = new Date()) {
  const product = jobsProductClient();
  return runPersonalDataReport({
    prisma: await db(),
    product: (clientKey) => product.asApp(clientKey),
    now,
    log: log(),
    // Names and settings (updatedBy) are mirrored in memory; other instances age out within an hour.
    onSiteChanged: (clientKey) => {
      forgetDisplayNames(clientKey);
      forgetSettings(clientKey);
    },
  });
}
