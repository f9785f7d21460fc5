import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from './env';

describe('parseEnv', () => {
  it('defaults to development on http://localhost with the embedded database', () => {
    const e = parseEnv({});
    expect(e.APP_ENV).toBe('development');
    expect(e.APP_BASE_URL).toBe('http://localhost:3000');
    expect(e.embedded).toBe(true);
    expect(e.LICENSE_WHEN_ABSENT).toBe('licensed');
    expect(e.CONNECT_KEYS_CDN_URL).toBe('https://connect-install-keys.atlassian.com');
    expect(e.ALLOWED_PRODUCT_HOSTS).toEqual(['*.atlassian.net', '*.jira.com', '*.jira-dev.com']);
  });

  it('stops production on a non-https base URL, naming the variable', () => {
    expect(() => parseEnv({ NODE_ENV: 'production', APP_BASE_URL: 'http://app.example.com' })).toThrow(ConfigError);
    expect(() => parseEnv({ NODE_ENV: 'production', APP_BASE_URL: 'http://app.example.com' })).toThrow(/APP_BASE_URL/);
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(/APP_BASE_URL/);
  });

  it('in production: unlicensed when lic is absent, and requires TENANT_SECRET_KEY with PostgreSQL', () => {
    const e = parseEnv({ APP_ENV: 'production', APP_BASE_URL: 'https://app.example.com/' });
    expect(e.APP_BASE_URL).toBe('https://app.example.com');
    expect(e.LICENSE_WHEN_ABSENT).toBe('unlicensed');
    expect(() =>
      parseEnv({ APP_ENV: 'production', APP_BASE_URL: 'https://a.example', DATABASE_URL: 'postgres://u@h/db' }),
    ).toThrow(/TENANT_SECRET_KEY/);
  });

  it('names each bad variable', () => {
    try {
      parseEnv({ JWT_LEEWAY_SECONDS: '9999', DATABASE_URL: 'mysql://x', TENANT_SECRET_KEY: 'short', APP_KEY: 'bad key!' });
      expect.unreachable();
    } catch (err) {
      const msg = (err as Error).message;
      for (const v of ['JWT_LEEWAY_SECONDS', 'DATABASE_URL', 'TENANT_SECRET_KEY', 'APP_KEY']) expect(msg).toContain(v);
    }
  });
});
