import 'server-only';
import pino from 'pino';

/**
 * The one logger: structured JSON lines (pino, chosen for its speed and built-in redaction),
 * made once by the composition root. Redaction is a safety net; code must still never pass
 * secrets, tokens or lifecycle bodies.
 */
export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'connect-checklists' },
    redact: {
      paths: [
        'sharedSecret', '*.sharedSecret', 'jwt', '*.jwt', 'token', '*.token', 'authorization',
        '*.authorization', 'headers.authorization', 'req.headers.authorization', 'secret', '*.secret',
      ],
      censor: '[redacted]',
    },
  });
}
