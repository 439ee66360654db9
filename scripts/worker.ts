/**
 * `npm run worker`: the job queue's workers alone, without the API (run the API with RUN_WORKER=false then,
 * or keep both: workers share the queue safely). Same configuration as the API; DATABASE_URL is required and
 * must name the API's database. SIGINT/SIGTERM: finish the running jobs, then exit.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from '../src/config/config';
import { openConfiguredDatabase } from '../src/infra/db/database';
import { createLogger } from '../src/infra/logger';
import { systemClock } from '../src/shared/clock';
import { startWorker } from '../src/worker';

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
  if (!config.databaseUrl) {
    // The embedded PostgreSQL belongs to `npm start`, whose own workers already run (RUN_WORKER defaults to true).
    console.error('npm run worker needs DATABASE_URL: the database of the API whose jobs it runs.');
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config, logger);
  const worker = await startWorker({
    databaseUrl: database.url,
    orm: database.orm,
    logger,
    clock: systemClock,
    concurrency: config.jobs.concurrency,
  });
  logger.info({ concurrency: config.jobs.concurrency }, 'Atelier worker is running');

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'worker shutting down: finishing running jobs');
    const deadline = setTimeout(() => {
      logger.error('worker shutdown took too long: exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 10_000);
    deadline.unref();
    worker
      .stop()
      .then(() => database.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'error during worker shutdown');
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
