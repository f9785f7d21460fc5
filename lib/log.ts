import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

/**
 * The one logger: structured JSON lines (pino, chosen for its speed and built-in redaction),
 * made once by the composition root. Redaction is a safety net; code must still never pass
 * secrets, tokens or lifecycle bodies.
 */
export type Logger = pino.Logger;

/** The request a piece of work belongs to: every log line written inside it carries its id. */
const requestScope = new AsyncLocalStorage<{ reqId: string }>();

/** Runs `fn` (and everything it starts) as part of the request `reqId`. */
export function inRequest<T>(reqId: string, fn: () => T): T {
  return requestScope.run({ reqId }, fn);
}

/** The id of the request the caller runs in, if any. */
export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.reqId;
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'connect-checklists' },
    // Every line written while a request is handled names it (server/main.ts sets the scope).
    mixin: () => {
      const reqId = requestScope.getStore()?.reqId;
      return reqId ? { reqId } : {};
    },
    redact: {
      paths: [
        'sharedSecret', '*.sharedSecret', 'jwt', '*.jwt', 'token', '*.token', 'authorization',
        '*.authorization', 'headers.authorization', 'req.headers.authorization', 'secret', '*.secret',
        // Forge product tokens (https://developer.atlassian.com/platform/forge/remote/calling-product-apis/).
        'headers["x-forge-oauth-system"]', 'headers["x-forge-oauth-user"]', 'req.headers["x-forge-oauth-system"]', 'req.headers["x-forge-oauth-user"]',
      ],
      censor: '[redacted]',
    },
  });
}
