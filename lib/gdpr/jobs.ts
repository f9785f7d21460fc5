import 'server-only';
import type { Connect } from 'atlassian-connect-next';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { Logger } from '@/lib/log';
import { runPersonalDataReport } from './reporter';

/**
 * The scheduled personal data report. It gets a product client of its own, so a slow
 * background job never queues behind page requests; sites are read uncached (the job runs
 * rarely and must see the current secret).
 */
export function personalDataReportJob(d: { prisma: PrismaClient; connect: Connect; log: Logger }) {
  const product = d.connect.productClient({ resolveTenant: (clientKey) => d.connect.runtime.store.find(clientKey) });
  return (now = new Date()) =>
    runPersonalDataReport({
      prisma: d.prisma,
      product: (clientKey) => product.asApp(clientKey),
      now,
      log: d.log,
      // Names and settings (updatedBy) are mirrored in memory here; other instances age out within a day.
      onSiteChanged: (clientKey) => d.connect.tenantChanged(clientKey, 'personal-data-changed'),
    });
}
