import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What a proxy's request id may look like to be reused: short, and nothing a log could misread. */
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The request's id: the value of `trustedHeader` when a trusted proxy set it and it looks like an
 * id, else a new UUID. With no trusted header every id is made here, so a client cannot choose
 * what its requests are called in the logs.
 */
export function requestId(headers: IncomingHttpHeaders, trustedHeader?: string): string {
  if (trustedHeader) {
    const v = headers[trustedHeader];
    if (typeof v === 'string' && ID.test(v)) return v;
  }
  return randomUUID();
}
