import { describe, expect, it } from 'vitest';
import { scriptJson } from './shell';

describe('scriptJson', () => {
  it('cannot close the script element or open a comment, and round-trips', () => {
    const value = { a: '</script><script>alert(1)</script>', b: '<!--', c: 'x & y', d: '\u2028' };
    const out = scriptJson(value);
    expect(out).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(out)).toEqual(value);
  });
});
