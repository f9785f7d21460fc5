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

  const prod = { APP_ENV: 'production', APP_BASE_URL: 'https://app.example.com/', TRUST_PROXY: '1', TENANT_SECRET_KEY: Buffer.alloc(32, 5).toString('base64') };

  it('in production: unlicensed when lic is absent, and requires TENANT_SECRET_KEY with either database', () => {
    const e = parseEnv(prod);
    expect(e.APP_BASE_URL).toBe('https://app.example.com');
    expect(e.LICENSE_WHEN_ABSENT).toBe('unlicensed');
    expect(() => parseEnv({ ...prod, TENANT_SECRET_KEY: undefined, DATABASE_URL: 'postgres://u@h/db' })).toThrow(/TENANT_SECRET_KEY/);
    // the embedded database too: a key generated next to the data it protects protects nothing
    expect(() => parseEnv({ ...prod, TENANT_SECRET_KEY: undefined })).toThrow(/TENANT_SECRET_KEY/);
  });

  it('in production: requires a trusted TLS proxy, and a Forge environment with a Forge app id', () => {
    expect(() => parseEnv({ ...prod, TRUST_PROXY: undefined })).toThrow(/TRUST_PROXY/);
    expect(() => parseEnv({ ...prod, TRUST_PROXY: 'false' })).toThrow(/TRUST_PROXY/);
    expect(parseEnv({ ...prod, TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(1);
    expect(parseEnv({ ...prod, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(() => parseEnv({ ...prod, TRUST_PROXY: 'yes please' })).toThrow(/TRUST_PROXY/);
    const forge = { ...prod, FORGE_APP_ID: '7e57f0e9-0000-4000-8000-00000000f0e9' };
    expect(() => parseEnv(forge)).toThrow(/FORGE_ENVIRONMENT/);
    expect(parseEnv({ ...forge, FORGE_ENVIRONMENT: 'production' }).FORGE_ENVIRONMENT).toBe('production');
    expect(parseEnv({ ...forge, APP_ENV: 'development' }).FORGE_ENVIRONMENT).toBeUndefined();
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
