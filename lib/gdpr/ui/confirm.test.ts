import { describe, expect, it } from 'vitest';
import { confirmMatches } from './confirm';

describe('data controls confirmation', () => {
  it('accepts only the site host, ignoring case and surrounding spaces', () => {
    expect(confirmMatches(' ACME.atlassian.net ', 'acme.atlassian.net')).toBe(true);
    expect(confirmMatches('acme', 'acme.atlassian.net')).toBe(false);
    expect(confirmMatches('', '')).toBe(false);
  });
});
