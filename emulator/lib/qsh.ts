import { createQueryStringHash, fromMethodAndUrl } from 'atlassian-jwt';

/**
 * The emulator computes every qsh with Atlassian's own `atlassian-jwt` library, not with the
 * app's lib/connect/qsh.ts: an independent oracle, so a bug in the app's canonicalisation shows
 * up as a rejected request instead of cancelling itself out.
 */
export function productQsh(method: string, url: string, baseUrl?: string): string {
  return createQueryStringHash(fromMethodAndUrl(method.toUpperCase(), url), false, baseUrl);
}
