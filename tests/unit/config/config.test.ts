import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../src/config/config';

describe('configuration of accounts', () => {
  it('should refuse a production configuration without JWT_SECRET, naming it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: required in production/);
  });

  it('should refuse a JWT_SECRET shorter than 32 characters', () => {
    expect(() => loadConfig({ JWT_SECRET: 'too short' })).toThrow(/JWT_SECRET/);
  });

  it('should default to 15-minute access tokens, 30-day refresh tokens and 10 and 100 failures per 15 minutes', () => {
    const config = loadConfig({});
    expect(config.auth).toMatchObject({ accessTokenTtlSeconds: 900, refreshTokenTtlDays: 30 });
    expect(config.loginLimits).toEqual({ failuresPerAccount: 10, failuresPerAddress: 100, windowSeconds: 900 });
  });
});
