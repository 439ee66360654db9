import 'reflect-metadata';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config/config';
import { openConfiguredDatabase } from './infra/db/database';
import { createLogger, type Logger } from './infra/logger';
import { catalogIsEmpty, loadDemoCatalog } from './modules/catalog/demo-catalog';

/** Products in the demo catalogue that a fresh embedded database gets. */
const DEMO_PRODUCTS = 500;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config, logger);
  if (config.seedDemoData && (await catalogIsEmpty(database.orm.em.fork()))) {
    const summary = await loadDemoCatalog(database.orm.em.fork(), { products: DEMO_PRODUCTS });
    logger.info(summary, 'seeded the demo catalogue');
  }
  const app = await createApp({ config, logger, database });
  const url = await app.listen();
  logger.info({ url: `${url}/graphql`, env: config.nodeEnv, embeddedDatabase: !config.databaseUrl }, 'Atelier is listening');
  handleShutdown(logger, config, async () => {
    await app.stop();
    await database.close();
  });
}

/** On SIGINT or SIGTERM: drain, close, exit 0; a second signal, or the grace period running out, exits at once. */
function handleShutdown(logger: Logger, config: Config, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: draining connections');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long: exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 10_000);
    deadline.unref();
    stop().then(
      () => {
        logger.info('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
