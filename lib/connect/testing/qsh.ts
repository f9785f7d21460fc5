import { createQueryStringHash, fromMethodAndUrl } from 'atlassian-jwt';

/**
 * The qsh as the product computes it, with Atlassian's own `atlassian-jwt`: the test side never
 * uses the framework's `computeQsh`, so a canonicalisation bug in the framework shows up as a
 * refused request instead of cancelling itself out.
 * https://developer.atlassian.com/cloud/jira/platform/understanding-jwt-for-connect-apps/#qsh
 */
export function productQsh(method: string, url: string | URL, baseUrl?: string): string {
  return createQueryStringHash(fromMethodAndUrl(method.toUpperCase(), url.toString()), false, baseUrl ?? '');
}
