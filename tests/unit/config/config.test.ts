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

/** A key ring with one key, k1 (32 bytes of 7). */
const RING = JSON.stringify({ current: 'k1', keys: { k1: Buffer.alloc(32, 7).toString('base64') } });

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
      shutdownDelayMs: 5_000,
      corsOrigins: undefined,
      auth: {
        jwtSecret: DEVELOPMENT_JWT_SECRET,
        usesDevelopmentSecret: true,
        accessTokenTtlSeconds: 900,
        refreshTokenTtlDays: 30,
        refreshReuseGraceSeconds: 30,
      },
      loginLimits: { failuresPerAccount: 10, failuresPerAddress: 100, windowSeconds: 900 },
      orders: { reservationMs: 15 * 60_000 },
      jobs: { runWorker: true, concurrency: 2, heartbeatMs: 5_000 },
      live: { reconcileMs: 5_000 },
      catalogCacheTtlSeconds: 30,
      mail: { smtpUrl: null, from: 'Atelier <no-reply@atelier.local>' },
      payments: { stripe: null, webhookSecret: null, developmentConfirmDelayMs: 2_000 },
      dataEncryption: { keyRing: null, developmentKeyFile: './.data/data-encryption-keys.json' },
      passwordReset: { ttlMs: 30 * 60_000, perEmail: 3, perAddress: 20 },
      retention: { sessionGraceDays: 7, paymentEventPayloadDays: 90, emailBodyDays: 90, workerHeartbeatDays: 1, auditEventDays: 365, deletedBuyerAddressDays: 3_650 },
      limits: {
        trustProxy: 'loopback',
        queryMaxCost: 5_000,
        queryBudget: { points: 50_000, restorePerSecond: 1_000 },
        loginFailuresPerAccountAndAddress: 5,
        signUps: { perAddress: 20, windowSeconds: 3_600 },
        webSocket: { maxSubscriptionsPerSocket: 100, maxSocketsPerAddress: 50, maxSocketsPerUser: 20, maxMessagesPerSecond: 50, documentCacheBytes: 5_000_000 },
        metrics: { port: null, token: null },
        orders: { maxUnpaidOrders: 3, maxUnpaidUnitsPerProduct: 99 },
        hstsMaxAgeSeconds: 0,
      },
    });
  });

  it('should not delay the drain of a test server unless SHUTDOWN_DELAY_MS says so', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).shutdownDelayMs).toBe(0);
    expect(loadConfig({ NODE_ENV: 'test', SHUTDOWN_DELAY_MS: '100' }).shutdownDelayMs).toBe(100);
  });

  it('should refuse to start in production without JWT_SECRET, naming it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
  });

  it('should refuse to start in production without Stripe, naming both keys', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-of-32-characters-or-more', DATA_ENCRYPTION_KEYS: RING };
    expect(() => loadConfig(production)).toThrow(/STRIPE_SECRET_KEY[\s\S]*STRIPE_WEBHOOK_SECRET/);
    expect(() => loadConfig({ ...production, STRIPE_SECRET_KEY: 'sk_live_abc' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
    const complete = { ...production, STRIPE_SECRET_KEY: 'sk_live_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc', CORS_ORIGINS: 'https://shop.example', METRICS_PORT: '9464' };
    expect(loadConfig(complete).payments.stripe?.apiUrl).toBeNull();
  });

  it('should refuse keys that are not Stripe keys, naming them', () => {
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'pk_test_publishable' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => loadConfig({ STRIPE_WEBHOOK_SECRET: 'secret' })).toThrow(/STRIPE_WEBHOOK_SECRET/);
  });

  it('should refuse to start in production without DATA_ENCRYPTION_KEYS, and refuse a malformed ring anywhere', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-32-characters-or-more',
      STRIPE_SECRET_KEY: 'sk_live_abc',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      CORS_ORIGINS: 'https://shop.example',
      METRICS_PORT: '9464',
    };
    expect(() => loadConfig(production)).toThrow(/DATA_ENCRYPTION_KEYS: required in production/);
    expect(loadConfig({ ...production, DATA_ENCRYPTION_KEYS: RING }).dataEncryption.keyRing?.current).toBe('k1');
    expect(() => loadConfig({ DATA_ENCRYPTION_KEYS: '{"current":"k1","keys":{}}' })).toThrow(/DATA_ENCRYPTION_KEYS: current must name one of keys/);
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
      SHUTDOWN_DELAY_MS: '250',
      CORS_ORIGINS: 'https://shop.example, https://admin.example,',
      JWT_SECRET: 'a-production-secret-of-32-characters-or-more',
      ACCESS_TOKEN_TTL_SECONDS: '300',
      REFRESH_TOKEN_TTL_DAYS: '7',
      REFRESH_REUSE_GRACE_SECONDS: '5',
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
      DATA_ENCRYPTION_KEYS: RING,
      DATA_ENCRYPTION_KEYS_FILE: '/tmp/keys.json',
      PASSWORD_RESET_TTL_MINUTES: '10',
      PASSWORD_RESETS_PER_EMAIL: '2',
      PASSWORD_RESETS_PER_ADDRESS: '9',
      RETENTION_SESSION_GRACE_DAYS: '1',
      RETENTION_PAYMENT_EVENT_PAYLOAD_DAYS: '2',
      RETENTION_EMAIL_BODY_DAYS: '3',
      RETENTION_WORKER_HEARTBEAT_DAYS: '4',
      RETENTION_AUDIT_EVENT_DAYS: '5',
      RETENTION_DELETED_BUYER_ADDRESS_DAYS: '6',
      TRUST_PROXY: '10.0.0.0/8, loopback',
      QUERY_MAX_COST: '1000',
      QUERY_BUDGET_POINTS: '2000',
      QUERY_BUDGET_RESTORE_PER_SECOND: '50',
      LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS: '3',
      SIGN_UPS_PER_ADDRESS: '5',
      SIGN_UP_WINDOW_SECONDS: '60',
      WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '10',
      WS_MAX_SOCKETS_PER_ADDRESS: '11',
      WS_MAX_SOCKETS_PER_USER: '12',
      WS_MAX_MESSAGES_PER_SECOND: '13',
      WS_DOCUMENT_CACHE_BYTES: '1000',
      METRICS_PORT: '9464',
      METRICS_TOKEN: 'a-metrics-token-of-some-length',
      MAX_UNPAID_ORDERS_PER_BUYER: '2',
      MAX_UNPAID_UNITS_PER_PRODUCT: '7',
      HSTS_MAX_AGE_SECONDS: '600',
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
      shutdownDelayMs: 250,
      corsOrigins: ['https://shop.example', 'https://admin.example'],
      auth: {
        jwtSecret: 'a-production-secret-of-32-characters-or-more',
        usesDevelopmentSecret: false,
        accessTokenTtlSeconds: 300,
        refreshTokenTtlDays: 7,
        refreshReuseGraceSeconds: 5,
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
      dataEncryption: { keyRing: { current: 'k1', keys: new Map([['k1', Buffer.alloc(32, 7)]]) }, developmentKeyFile: '/tmp/keys.json' },
      passwordReset: { ttlMs: 600_000, perEmail: 2, perAddress: 9 },
      retention: { sessionGraceDays: 1, paymentEventPayloadDays: 2, emailBodyDays: 3, workerHeartbeatDays: 4, auditEventDays: 5, deletedBuyerAddressDays: 6 },
      limits: {
        trustProxy: '10.0.0.0/8, loopback',
        queryMaxCost: 1_000,
        queryBudget: { points: 2_000, restorePerSecond: 50 },
        loginFailuresPerAccountAndAddress: 3,
        signUps: { perAddress: 5, windowSeconds: 60 },
        webSocket: { maxSubscriptionsPerSocket: 10, maxSocketsPerAddress: 11, maxSocketsPerUser: 12, maxMessagesPerSecond: 13, documentCacheBytes: 1_000 },
        metrics: { port: 9464, token: 'a-metrics-token-of-some-length' },
        orders: { maxUnpaidOrders: 2, maxUnpaidUnitsPerProduct: 7 },
        hstsMaxAgeSeconds: 600,
      },
    });
  });

  it('should refuse to start in production with CORS open to any origin, or /metrics open on the API port', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-32-characters-or-more',
      STRIPE_SECRET_KEY: 'sk_live_abc',
      STRIPE_WEBHOOK_SECRET: 'whsec_abc',
      DATA_ENCRYPTION_KEYS: RING,
      METRICS_TOKEN: 'a-metrics-token-of-some-length',
    };
    expect(() => loadConfig(production)).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ ...production, CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig({ ...production, CORS_ORIGINS: 'https://shop.example, *' })).toThrow(/CORS_ORIGINS/);
    const { METRICS_TOKEN: _token, ...withoutMetrics } = { ...production, CORS_ORIGINS: 'https://shop.example' };
    expect(() => loadConfig(withoutMetrics)).toThrow(/METRICS_PORT or METRICS_TOKEN/);
    expect(loadConfig({ ...withoutMetrics, METRICS_PORT: '9464' }).limits.metrics).toEqual({ port: 9464, token: null });
  });

  it('should refuse a query budget smaller than the largest cost, and read TRUST_PROXY as Express does', () => {
    expect(() => loadConfig({ QUERY_BUDGET_POINTS: '100', QUERY_MAX_COST: '500' })).toThrow(/QUERY_BUDGET_POINTS/);
    expect(loadConfig({ QUERY_BUDGET_POINTS: '0' }).limits.queryBudget).toBeNull();
    expect(loadConfig({ TRUST_PROXY: 'false' }).limits.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).limits.trustProxy).toBe(2);
    expect(loadConfig({}).limits.trustProxy).toBe('loopback');
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
