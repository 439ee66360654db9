import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config, RetentionConfig } from './config/config';
import { createInProcessPubSub } from './infra/pubsub';
import { startJobRunner, type JobRunner } from './infra/jobs';
import type { Logger } from './infra/logger';
import type { EmailKind, EmailTransport } from './modules/notifications/email-message.entity';
import type { Metrics } from './infra/metrics';
import { createModuleHubs, createModuleTasks, createServices, moduleCron, type AppServices, type ModuleJobDeps } from './modules';
import { createAccessTokens } from './modules/accounts/access-token';
import { createAccountsRuntime } from './modules/accounts/accounts-runtime';
import { createCatalogVersion } from './modules/catalog/catalog-version';
import { createPaymentsRuntime } from './modules/payments/payments-runtime';
import { systemClock, type Clock } from './shared/clock';

export interface WorkerDeps {
  /** The app's services (`createServices`): the tasks call their methods as the system. */
  services: AppServices;
  databaseUrl: string;
  orm: MikroORM;
  logger: Logger;
  clock: Clock;
  concurrency: number;
  /** Counts each email delivered (the API's metrics). Default: nothing. */
  onEmailSent?: (kind: EmailKind, transport: EmailTransport) => void;
  /** WORKER_HEARTBEAT_MS: how soon the jobs of a dead worker process run again (after three missed heartbeats). */
  heartbeatMs: number;
  /** Retention periods of the purges (`RETENTION_*`). */
  retention: RetentionConfig;
  /** Counts the jobs freed from dead workers and the rows the purges removed; absent where nothing serves `/metrics` (`npm run worker`). */
  metrics?: Pick<Metrics, 'jobsRecovered' | 'retentionRowsRemoved'>;
}

/**
 * The job queue's workers with every module's tasks and cron entries: started by `createApp` when RUN_WORKER is true
 * (the default, so `npm start` is complete), or alone by `npm run worker` (scripts/worker.ts).
 */
export function startWorker(deps: WorkerDeps): Promise<JobRunner> {
  // All the worker has: any module's tasks take their part (a task's deps naming something not here fails to compile).
  const offered = {
    services: deps.services,
    orm: deps.orm,
    clock: deps.clock,
    logger: deps.logger,
    onEmailSent: deps.onEmailSent,
    retention: deps.retention,
    onRowsRemoved: (job: string, rows: number) => deps.metrics?.retentionRowsRemoved.inc({ job }, rows),
  };
  const jobDeps: ModuleJobDeps = offered;
  return startJobRunner({
    databaseUrl: deps.databaseUrl,
    tasks: createModuleTasks(jobDeps),
    cron: [...moduleCron],
    concurrency: deps.concurrency,
    heartbeatMs: deps.heartbeatMs,
    logger: deps.logger,
    onRecovery: (dead) => deps.metrics?.jobsRecovered.inc(dead.reduce((jobs, worker) => jobs + worker.jobIds.length, 0)),
  });
}

/**
 * The services of a process that runs only the workers (`npm run worker`): the same services as the API's, made with
 * the same configuration. Its live hubs and catalogue version are made but never started or followed, and its accounts
 * runtime has no Redis: no job watches a subscription, reads the catalogue's cache or its counts, counts log-ins or caches viewers,
 * and each API instance's own hubs hear the changes its jobs commit.
 * The operator scripts (`create-admin`, `rotate-keys`) make theirs here too, and call them as the system actor.
 */
export function createWorkerServices(deps: { config: Config; orm: MikroORM; logger: Logger; clock?: Clock }): AppServices {
  const { config, orm, logger, clock = systemClock } = deps;
  const payments = createPaymentsRuntime({ config, logger });
  const accessTokens = createAccessTokens({ secret: config.auth.jwtSecret, ttlSeconds: config.auth.accessTokenTtlSeconds, clock });
  const services = createServices({
    config,
    payments,
    accounts: createAccountsRuntime({ config, accessTokens, redis: null, logger }),
    live: createModuleHubs({ orm, pubsub: createInProcessPubSub(), logger, reconcileMs: config.live.reconcileMs }),
    catalogVersion: createCatalogVersion(),
  });
  return services;
}
