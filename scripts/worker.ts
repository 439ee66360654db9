/**
 * `npm run worker`: the job queue's workers alone, without the API (run the API with RUN_WORKER=false then,
 * or keep both: workers share the queue safely). Same configuration as the API; DATABASE_URL is required and
 * must name the API's database. SIGINT/SIGTERM: finish the running jobs, then exit.
 */
// First: the compile cache, then tracing, which patches pg, http and redis as they are loaded.
import '../src/compile-cache';
import '../src/tracing-start';
import 'reflect-metadata';
import { openConfiguredDatabase } from '../src/infra/db/database';
import { createLogger } from '../src/infra/logger';
import { shutdownTracing } from '../src/infra/tracing';
import { systemClock } from '../src/shared/clock';
import { describeDatabaseError, loadConfigOrExit, runMain, stopOnSignals } from '../src/process-lifecycle';
import { createWorkerServices, startWorker } from '../src/worker';
import { moduleEntities } from '../src/modules/index';

runMain(async () => {
  const config = loadConfigOrExit();
  if (!config.databaseUrl) {
    // The embedded PostgreSQL belongs to `npm start`, whose own workers already run (RUN_WORKER defaults to true).
    console.error('npm run worker needs DATABASE_URL: the database of the API whose jobs it runs.');
    process.exit(78); // EX_CONFIG
  }
  const logger = createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config, logger, moduleEntities, 'jobs').catch((error: unknown) => {
    throw describeDatabaseError(error, config);
  });
  const services = createWorkerServices({ config, orm: database.orm, logger });
  const worker = await startWorker({
    services,
    databaseUrl: database.url,
    orm: database.orm,
    logger,
    clock: systemClock,
    concurrency: config.jobs.concurrency,
    heartbeatMs: config.jobs.heartbeatMs,
    retention: config.retention,
  });
  logger.info({ concurrency: config.jobs.concurrency, heartbeatMs: config.jobs.heartbeatMs }, 'Atelier worker is running');
  // Running jobs finish first.
  stopOnSignals(logger, config, 'worker', async () => {
    await worker.stop();
    await database.close();
    await shutdownTracing();
  });
});
