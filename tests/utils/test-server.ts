import { createApp, type App } from '../../src/app';
import { loadConfig, type Config } from '../../src/config/config';
import { openConfiguredDatabase, type Database } from '../../src/infra/db/database';
import { createLogger, type Logger } from '../../src/infra/logger';
import type { Clock } from '../../src/shared/clock';
import { createTestDatabase, type TestDatabase } from './database';
import { moduleEntities } from '../../src/modules/index';

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** `http://127.0.0.1:<port>/graphql` */
  graphqlUrl: string;
  /** `ws://127.0.0.1:<port>/graphql` */
  wsUrl: string;
  config: Config;
  database: Database;
  app: App;
  close(): Promise<void>;
}

/** The bearer token of `/metrics` on production test servers. */
export const TEST_METRICS_TOKEN = 'test-metrics-token-0123456789';

const PRODUCTION_STRIPE_PLACEHOLDER = {
  STRIPE_SECRET_KEY: 'sk_test_placeholder',
  STRIPE_WEBHOOK_SECRET: 'whsec_placeholder',
  STRIPE_API_URL: 'http://127.0.0.1:9',
};

/**
 * The real server, as `createApp` builds it, on a free port of 127.0.0.1 over a database of its own.
 * `env` overrides the environment it is configured from (e.g. `{ NODE_ENV: 'production' }`); `options.clock`
 * replaces the system clock (token expiry, reservations), for tests that move time.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  testDatabase?: TestDatabase,
  options: { logger?: Logger; clock?: Clock } = {},
): Promise<TestServer> {
  const db = testDatabase ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_GRACE_MS: '1000',
    SHUTDOWN_DELAY_MS: '0',
    // Production refuses to start without a secret; every test server has one.
    JWT_SECRET: 'test-secret-of-at-least-thirty-two-characters',
    // Production also refuses to start without Stripe: a production test server gets keys for a Stripe that is not
    // there (port 9, discard), unless the test points it at a fake one. Elsewhere, the DEVELOPMENT provider.
    ...(env.NODE_ENV === 'production' ? PRODUCTION_STRIPE_PLACEHOLDER : {}),
    // Production also requires its CORS origins and a protected /metrics.
    ...(env.NODE_ENV === 'production' ? { CORS_ORIGINS: 'https://shop.example', METRICS_TOKEN: TEST_METRICS_TOKEN } : {}),
    // The DEVELOPMENT provider's buyer pays an hour after checkout: never during a test that does not ask for it
    // (payment tests set DEVELOPMENT_PAYMENT_DELAY_MS to 0), so that orders stay PENDING_PAYMENT as tests expect.
    DEVELOPMENT_PAYMENT_DELAY_MS: '3600000',
    // The run's key ring of personal data (global setup makes it).
    ...(process.env.DATA_ENCRYPTION_KEYS ? { DATA_ENCRYPTION_KEYS: process.env.DATA_ENCRYPTION_KEYS } : {}),
    // Every test client is 127.0.0.1: budgets stay on (each operation is charged) but large enough for a whole test
    // file, and sign-ups are not limited. tests/security/ sets them low where it tests them.
    QUERY_BUDGET_POINTS: '100000000',
    SIGN_UPS_PER_ADDRESS: '100000',
    // Test buyers check out many times; tests/security/ tests the limits on unpaid orders.
    MAX_UNPAID_ORDERS_PER_BUYER: '1000',
    MAX_UNPAID_UNITS_PER_PRODUCT: '1000000',
    ...env,
  });
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config, logger, moduleEntities);
  const app = await createApp({ config, logger, database, clock: options.clock });
  const baseUrl = await app.listen();
  return {
    baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    wsUrl: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    config,
    database,
    app,
    close: async () => {
      await app.stop();
      await database.close();
      if (!testDatabase) await db.drop();
    },
  };
}
