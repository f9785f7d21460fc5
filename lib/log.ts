import 'server-only';
import pino from 'pino';
import { env } from './env';

/**
 * The one logger: structured JSON lines (pino, chosen for its speed and built-in redaction).
 * Redaction is a safety net; code must still never pass secrets, tokens or lifecycle bodies.
 */
let instance: pino.Logger | undefined;

export function log(): pino.Logger {
  instance ??= pino({
    level: safeLevel(),
    base: { app: 'connect-checklists' },
    redact: {
      paths: [
        'sharedSecret', '*.sharedSecret', 'jwt', '*.jwt', 'token', '*.token', 'authorization',
        '*.authorization', 'headers.authorization', 'req.headers.authorization', 'secret', '*.secret',
      ],
      censor: '[redacted]',
    },
  });
  return instance;
}

function safeLevel(): string {
  try {
    return env().LOG_LEVEL;
  } catch {
    return 'info';
  }
}
