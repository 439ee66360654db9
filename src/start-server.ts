import { createApp } from './app';
import { openConfiguredDatabase } from './infra/db/database';
import type { PersonalDataCipher } from './infra/encryption/personal-data';
import { createLogger } from './infra/logger';
import { shutdownTracing } from './infra/tracing';
import { createAccessTokens } from './modules/accounts/access-token';
import { describeDemoAccounts, ensureDemoAccounts } from './modules/accounts/demo-accounts';
import { systemClock } from './shared/clock';
import { demoCatalogService } from './modules/catalog/demo-catalog';
import { systemScope } from './modules/service-scope';
import { describeDatabaseError, describeListenError, loadConfigOrExit, stopOnSignals } from './process-lifecycle';
import { moduleEntities } from './modules/index';

/** Products in the demo catalogue that a fresh embedded database gets. */
const DEMO_PRODUCTS = 500;

/** What only code can change about the server, never the environment. */
export interface StartServerOptions {
  /**
   * The cipher of personal data, instead of the one of the configured key ring (`DATA_ENCRYPTION_KEYS`). Only the
   * benchmark gives one, to measure the server without encryption; `npm start` never does. Default: the key ring's.
   */
  personalDataCipher?: PersonalDataCipher;
}

/**
 * The server of `npm start` (`main.ts`): configuration → database (embedded when no DATABASE_URL) → demo seed →
 * API; drains on SIGTERM.
 */
export async function startServer(options: StartServerOptions = {}): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config, logger, moduleEntities, 'api', options).catch((error: unknown) => {
    throw describeDatabaseError(error, config);
  });
  const seeding = systemScope({ orm: database.orm, clock: systemClock, logger }, 'demo-seed');
  if (config.seedDemoData && (await demoCatalogService.isEmpty(seeding))) {
    const summary = await demoCatalogService.load(seeding, { products: DEMO_PRODUCTS });
    logger.info(summary, 'seeded the demo catalogue');
  }
  const app = await createApp({ config, logger, database });
  // A failed listen exits: the exit hook stops an embedded PostgreSQL; pools and sockets die with the process.
  const url = await app.listen().catch((error: unknown) => {
    throw describeListenError(error, config);
  });
  logger.info({ url: `${url}/graphql`, env: config.nodeEnv, embeddedDatabase: !config.databaseUrl }, 'Atelier is listening');
  if (config.nodeEnv === 'development' && config.seedDemoData) {
    const accessTokens = createAccessTokens({ secret: config.auth.jwtSecret, ttlSeconds: config.auth.accessTokenTtlSeconds, clock: systemClock });
    const accounts = await ensureDemoAccounts(database.orm.em.fork(), { nodeEnv: config.nodeEnv, accessTokens, now: new Date() });
    // Printed once, as text: it is meant to be read and copied, not parsed.
    process.stdout.write(`\n${describeDemoAccounts(accounts, `${url}/graphql`)}\n\n`);
  }
  stopOnSignals(logger, config, 'server', async () => {
    await app.stop();
    await database.close();
    await shutdownTracing();
  });
}
