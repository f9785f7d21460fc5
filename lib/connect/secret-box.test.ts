import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.seal('s3cret-shared', 'client-a');
    expect(sealed).not.toContain('s3cret');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.open(sealed, 'client-a')).toBe('s3cret-shared');
  });

  it('uses a fresh IV each time', () => {
    expect(box.seal('x', 'a')).not.toBe(box.seal('x', 'a'));
  });

  it('refuses a ciphertext moved to another tenant, a tampered one, or another key', () => {
    const sealed = box.seal('secret', 'client-a');
    expect(() => box.open(sealed, 'client-b')).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'client-a')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'client-a')).toThrow();
    expect(() => box.open('v0.a.b.c', 'client-a')).toThrow(/envelope/);
  });
});
