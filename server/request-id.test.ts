import { describe, expect, it } from 'vitest';
import { requestId } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestId', () => {
  it('makes a new id per request when no proxy header is trusted, whatever the client sent', () => {
    const a = requestId({ 'x-request-id': 'chosen-by-client' });
    const b = requestId({ 'x-request-id': 'chosen-by-client' });
    expect(a).toMatch(UUID);
    expect(b).toMatch(UUID);
    expect(a).not.toBe(b);
  });

  it("takes the trusted proxy's id when it looks like one", () => {
    expect(requestId({ 'x-request-id': 'lb-7f3a:12.4' }, 'x-request-id')).toBe('lb-7f3a:12.4');
    expect(requestId({ 'x-amzn-trace-id': 'Root-1-abc' }, 'x-amzn-trace-id')).toBe('Root-1-abc');
  });

  it('makes one instead of a trusted header that is missing, repeated, too long or could forge a log line', () => {
    for (const v of [undefined, '', 'a'.repeat(129), 'id\nlevel=error', 'id with spaces', '"quoted"', '-leading-dash', ['a', 'b']]) {
      expect(requestId({ 'x-request-id': v as string | undefined }, 'x-request-id')).toMatch(UUID);
    }
  });
});
