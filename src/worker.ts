import type { MikroORM } from '@mikro-orm/postgresql';
import type { MailConfig, RetentionConfig } from './config/config';
import { startJobRunner, type JobRunner } from './infra/jobs';
import type { Logger } from './infra/logger';
import type { EmailKind, EmailTransport } from './modules/notifications/email-message.entity';
import type { Metrics } from './infra/metrics';
import { createModuleTasks, moduleCron, type ModuleJobDeps } from './modules';
import type { PaymentsRuntime } from './modules/payments/payments-runtime';
import type { Clock } from './shared/clock';

export interface WorkerDeps {
  databaseUrl: string;
  orm: MikroORM;
  logger: Logger;
  clock: Clock;
  concurrency: number;
  /** Where emails go: SMTP, or the outbox. */
  mail: MailConfig;
  /** Counts each email delivered (the API's metrics). Default: nothing. */
  onEmailSent?: (kind: EmailKind, transport: EmailTransport) => void;
  payments: PaymentsRuntime;
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
  // What any module's tasks need; each takes its part.
  const jobDeps: ModuleJobDeps = {
    orm: deps.orm,
    clock: deps.clock,
    logger: deps.logger,
    mail: deps.mail,
    onEmailSent: deps.onEmailSent,
    payments: deps.payments,
    retention: deps.retention,
    onRowsRemoved: (job, rows) => deps.metrics?.retentionRowsRemoved.inc({ job }, rows),
  };
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
