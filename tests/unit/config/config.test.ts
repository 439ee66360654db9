import { describe, expect, it } from '@jest/globals';
import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from '../../../src/config/config';

/** The ConfigError that `env` gives; fails the test when it does not throw one. */
function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('should give the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      nodeEnv: 'development',
      isProduction: false,
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      embeddedPostgres: { dataDir: './.data/postgres', port: 5433 },
      databasePoolSize: 10,
      databaseTimeouts: { acquireMs: 3_000, statementMs: 10_000, lockMs: 5_000, jobStatementMs: 300_000 },
      redisUrl: undefined,
      redisCommandTimeoutMs: 250,
      seedDemoData: true,
      logLevel: 'info',
      maxBodyBytes: 100_000,
      shutdownGraceMs: 10_000,
      corsOrigins: undefined,
      auth: {
        jwtSecret: DEVELOPMENT_JWT_SECRET,
        usesDevelopmentSecret: true,
        accessTokenTtlSeconds: 900,
        refreshTokenTtlDays: 30,
      },
      loginLimits: { failuresPerAccount: 10, failuresPerAddress: 100, windowSeconds: 900 },
      orders: { reservationMs: 15 * 60_000 },
      jobs: { runWorker: true, concurrency: 2, heartbeatMs: 5_000 },
      live: { reconcileMs: 5_000 },
      catalogCacheTtlSeconds: 30,
      mail: { smtpUrl: null, from: 'Atelier <no-reply@atelier.local>' },
      payments: { stripe: null, webhookSecret: null, developmentConfirmDelayMs: 2_000 },
    });
  });

  it('should refuse to start in production without JWT_SECRET, naming it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
  });

  it('should refuse to start in production without Stripe, naming both keys', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-32-characters-or-more' };
    expect(() => loadConfig(production)).toThrow(/STRIPE_SECRET_KEY[\s\S]*STRIPE_WEBHOOK_SECRET/);
    expect(() => loadConfig({ ...production, STRIPE_SECRET_KEY: 'sk_live_abc' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    expect(loadConfig({ ...production, STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' }).payments.stripe?.apiUrl).toBeNull();
  });

  it('should refuse keys that are not Stripe keys, naming them', () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'pk_test_publishable' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'secret' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
  });

  it('should refuse a JWT_SECRET shorter than 32 characters, naming it', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });

  it('should read every variable it knows', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgresql://u:p@db:5432/atelier',
      EMBEDDED_PG_DIR: '/tmp/pg',
      EMBEDDED_PG_PORT: '6543',
      DATABASE_POOL_SIZE: '20',
      REDIS_URL: 'rediss://cache:6379',
      SEED_DEMO_DATA: '0',
      LOG_LEVEL: 'warn',
      MAX_BODY_BYTES: '2000',
      SHUTDOWN_GRACE_MS: '0',
      CORS_ORIGINS: 'https://shop.example, https://admin.example,',
      JWT_SECRET: 'a-production-secret-of-32-characters-or-more',
      ACCESS_TOKEN_TTL_SECONDS: '300',
      REFRESH_TOKEN_TTL_DAYS: '7',
      LOGIN_FAILURES_PER_ACCOUNT: '5',
      LOGIN_FAILURES_PER_ADDRESS: '50',
      LOGIN_FAILURE_WINDOW_SECONDS: '600',
      RESERVATION_MINUTES: '0.5',
      RUN_WORKER: 'false',
      WORKER_CONCURRENCY: '4',
      WORKER_HEARTBEAT_MS: '250',
      LIVE_RECONCILE_MS: '1000',
      CATALOG_CACHE_TTL_SECONDS: '0',
      SMTP_URL: 'smtps://mailer:secret@mail.example:465',
      MAIL_FROM: 'orders@shop.example',
      STRIPE_SECRET_KEY: 'sk_live_abc',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      STRIPE_API_URL: 'http://127.0.0.1:12111',
      STRIPE_TIMEOUT_MS: '2000',
      STRIPE_MAX_NETWORK_RETRIES: '1',
      STRIPE_CIRCUIT_RESET_MS: '5000',
      DEVELOPMENT_PAYMENT_DELAY_MS: '0',
    });
    expect(config).toEqual({
      nodeEnv: 'production',
      isProduction: true,
      port: 0,
      host: '127.0.0.1',
      databaseUrl: 'postgresql://u:p@db:5432/atelier',
      embeddedPostgres: { dataDir: '/tmp/pg', port: 6543 },
      databasePoolSize: 20,
      databaseTimeouts: { acquireMs: 3_000, statementMs: 10_000, lockMs: 5_000, jobStatementMs: 300_000 },
      redisUrl: 'rediss://cache:6379',
      redisCommandTimeoutMs: 250,
      seedDemoData: false,
      logLevel: 'warn',
      maxBodyBytes: 2000,
      shutdownGraceMs: 0,
      corsOrigins: ['https://shop.example', 'https://admin.example'],
      auth: {
        jwtSecret: 'a-production-secret-of-32-characters-or-more',
        usesDevelopmentSecret: false,
        accessTokenTtlSeconds: 300,
        refreshTokenTtlDays: 7,
      },
      loginLimits: { failuresPerAccount: 5, failuresPerAddress: 50, windowSeconds: 600 },
      orders: { reservationMs: 30_000 },
      jobs: { runWorker: false, concurrency: 4, heartbeatMs: 250 },
      live: { reconcileMs: 1_000 },
      catalogCacheTtlSeconds: 0,
      mail: { smtpUrl: 'smtps://mailer:secret@mail.example:465', from: 'orders@shop.example' },
      payments: {
        stripe: { secretKey: 'sk_live_abc', apiUrl: 'http://127.0.0.1:12111', timeoutMs: 2_000, maxNetworkRetries: 1, circuitResetMs: 5_000 },
        webhookSecret: 'whsec_abc',
        developmentConfirmDelayMs: 0,
      },
    });
  });

  it('should take an empty variable as a missing one, so that its default applies', () => {
    const config = loadConfig({ DATABASE_URL: '', PORT: '', SEED_DEMO_DATA: '' });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.port).toBe(4000);
    expect(config.seedDemoData).toBe(true);
  });

  it.each([
    ['NODE_ENV', 'staging'],
    ['PORT', 'eighty'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'localhost:5432/atelier'],
    ['DATABASE_URL', 'mysql://db/atelier'],
    ['EMBEDDED_PG_PORT', '0'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_POOL_SIZE', '201'],
    ['REDIS_URL', 'localhost:6379'],
    ['SEED_DEMO_DATA', 'yes'],
    ['LOG_LEVEL', 'loud'],
    ['MAX_BODY_BYTES', '999'],
    ['MAX_BODY_BYTES', '10000001'],
    ['SHUTDOWN_GRACE_MS', '-1'],
    ['SHUTDOWN_GRACE_MS', '120001'],
    ['WORKER_HEARTBEAT_MS', '49'],
    ['WORKER_HEARTBEAT_MS', '600001'],
    ['WORKER_HEARTBEAT_MS', '1.5'],
    ['CATALOG_CACHE_TTL_SECONDS', '-1'],
    ['CATALOG_CACHE_TTL_SECONDS', '1.5'],
    ['SMTP_URL', 'mail.example:25'],
    ['SMTP_URL', 'https://mail.example'],
    ['MAIL_FROM', 'Atelier'],
    ['MAIL_FROM', 'Atelier <no-reply>'],
  ])('should refuse %s=%j with a ConfigError naming the variable', (name, value) => {
    const error = configErrorOf({ [name]: value });
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(new RegExp(`^Invalid configuration:\\n  ${name}: `));
  });

  it('should name every wrong variable at once, and no right one', () => {
    const { message } = configErrorOf({ PORT: 'x', LOG_LEVEL: 'loud', HOST: 'localhost', SEED_DEMO_DATA: 'maybe' });
    expect(message).toMatch(/\bPORT: /);
    expect(message).toMatch(/\bLOG_LEVEL: /);
    expect(message).toMatch(/\bSEED_DEMO_DATA: /);
    expect(message).not.toMatch(/\bHOST\b/);
  });

  it('should not repeat a secret it refuses in its message', () => {
    const { message } = configErrorOf({ DATABASE_URL: 's3cret-password-not-a-url' });
    expect(message).toMatch(/DATABASE_URL: /);
    expect(message).not.toContain('s3cret');
  });

  it('should not repeat the password of an SMTP_URL it refuses', () => {
    const { message } = configErrorOf({ SMTP_URL: 'http://mailer:s3cret@mail.example' });
    expect(message).toMatch(/SMTP_URL: /);
    expect(message).not.toContain('s3cret');
  });

  it('should take a bare address as MAIL_FROM', () => {
    expect(loadConfig({ MAIL_FROM: 'no-reply@atelier.example' }).mail.from).toBe('no-reply@atelier.example');
  });
});
