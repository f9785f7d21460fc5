import type { Env } from '@/lib/env';
import { DEFAULT_CYCLE_MS } from '@/lib/gdpr/report-api';
import { POLICY_PATHS } from './paths';
import type { PolicyFacts } from './types';

/**
 * The facts the policies state, read from the running configuration on every request, so the
 * published text cannot drift from what the code does. Links in the descriptor
 * (lib/app/definition.ts) and on the admin page use POLICY_PATHS.
 */

export { POLICY_PATHS };

/** Strict-Transport-Security max-age set in next.config.js (63072000 s); tests compare the header. */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

export function contactLink(contact: string | undefined): PolicyFacts['securityContact'] {
  if (!contact) return undefined;
  return contact.startsWith('https://') ? { href: contact, label: contact } : { href: `mailto:${contact}`, label: contact };
}

export function policyFacts(e: Env): PolicyFacts {
  return {
    appName: e.APP_NAME,
    vendorName: e.APP_VENDOR_NAME,
    vendorUrl: e.APP_VENDOR_URL,
    retentionDays: e.RETENTION_DAYS,
    database: e.embedded ? 'embedded' : 'postgresql',
    purgeIntervalMinutes: e.PURGE_INTERVAL_MINUTES,
    gdprCycleDays: Math.round(DEFAULT_CYCLE_MS / 86_400_000),
    gdprReportIntervalHours: e.GDPR_REPORT_INTERVAL_HOURS,
    secretCipher: 'AES-256-GCM',
    hstsMaxAgeDays: Math.round(HSTS_MAX_AGE_SECONDS / 86_400),
    securityContact: contactLink(e.SECURITY_CONTACT),
    paths: POLICY_PATHS,
  };
}
