import { SignJWT } from 'jose';
import { computeQsh } from '../qsh';

/**
 * The JWT an app sends when it calls the product as itself: HS256 with the tenant's shared
 * secret, `iss` = the app key, `qsh` of exactly this outgoing request (relative to the tenant's
 * baseUrl, so a Confluence `/wiki` context path is stripped), sent as `Authorization: JWT …`.
 * The query-string form (`?jwt=`) is refused by Atlassian since 2022 and never used.
 * https://developer.atlassian.com/cloud/jira/platform/understanding-jwt/#making-a-service-call
 */

/** Atlassian refuses app tokens that live longer than three minutes. */
export const MAX_APP_TOKEN_TTL_SECONDS = 180;

export interface AppTokenInput {
  appKey: string;
  sharedSecret: string;
  method: string;
  /** The full outgoing URL, query included. */
  url: URL;
  /** The tenant's current baseUrl. */
  baseUrl: string;
  nowMs: number;
  ttlSeconds?: number;
}

const encoder = new TextEncoder();

export async function signAppToken(input: AppTokenInput): Promise<string> {
  const iat = Math.floor(input.nowMs / 1000);
  const ttl = Math.min(input.ttlSeconds ?? MAX_APP_TOKEN_TTL_SECONDS, MAX_APP_TOKEN_TTL_SECONDS);
  return new SignJWT({ qsh: computeQsh(input.method, input.url, input.baseUrl) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(input.appKey)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .sign(encoder.encode(input.sharedSecret));
}
