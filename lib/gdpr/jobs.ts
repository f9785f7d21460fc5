import 'server-only';
import { log } from '@/lib/log';
import { db } from '@/lib/db';
import { createProductClient, type ProductClient } from '@/lib/connect/product';
import { runtime } from '@/lib/app/connect';
import { productClientOptions } from '@/lib/app/product';
import { forgetDisplayNames } from '@/lib/checklists/people';
import { forgetSettings } from '@/lib/settings/service';
import { runPersonalDataReport } from './reporter';

/** The scheduled personal data report, with the app's configuration and product REST client. */

let client: ProductClient | undefined;

/** A product client of its own, so a slow background job never queues behind page requests. */
function jobsProductClient(): ProductClient {
  client ??= createProductClient(productClientOptions((clientKey) => runtime().store.find(clientKey)));
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
