import { createApp, type App } from '../../src/app';
import { loadConfig, type Config } from '../../src/config/config';
import { openConfiguredDatabase, type Database } from '../../src/infra/db/database';
import { createLogger } from '../../src/infra/logger';
import { createTestDatabase, type TestDatabase } from './database';

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

/**
 * The real server, as `createApp` builds it, on a free port of 127.0.0.1 over a database of its own.
 * `env` overrides the environment it is configured from (e.g. `{ NODE_ENV: 'production' }`).
 */
export async function startTestServer(env: Record<string, string> = {}, testDatabase?: TestDatabase): Promise<TestServer> {
  const db = testDatabase ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    SHUTDOWN_GRACE_MS: '1000',
    // Production refuses to start without a secret; every test server has one.
    JWT_SECRET: 'test-secret-of-at-least-thirty-two-characters',
    ...env,
  });
  const logger = createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config, logger);
  const app = await createApp({ config, logger, database });
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
