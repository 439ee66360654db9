import type { EntityManager } from '@mikro-orm/postgresql';
import { Logger as WorkerLogger, parseCronItems, run, runMigrations, type CronItem, type Runner, type TaskList } from 'graphile-worker';
import { runSql } from '../shared/sql';
import type { Logger } from './logger';

/**
 * The durable job queue: graphile-worker, in PostgreSQL (schema `graphile_worker`, which it installs and
 * migrates itself). Jobs are added with SQL in the transaction of the change that causes them, so a job
 * exists if and only if its cause was committed. Delivery is at least once: tasks must be idempotent.
 * A failing job is retried with exponential backoff (graphile-worker's: about e^attempts seconds); after
 * its last attempt it stays in `graphile_worker.jobs` with `last_error`, and is logged at error level.
 */

/** pino under graphile-worker's logger interface. */
function workerLogger(logger: Logger): WorkerLogger {
  const log = logger.child({ component: 'jobs' });
  const levels: Record<string, 'error' | 'warn' | 'info' | 'debug'> = { error: 'error', warning: 'warn', info: 'info', debug: 'debug' };
  return new WorkerLogger((scope) => (level, message, meta) => log[levels[level] ?? 'info']({ ...scope, ...meta }, message));
}

/** Installs or upgrades graphile-worker's schema; `add_job` exists from then on, whether a worker runs or not. */
export async function migrateJobQueue(databaseUrl: string, logger: Logger): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, logger: workerLogger(logger) });
}

export interface JobSpec {
  /** When it may run. Default now. */
  runAt?: Date;
  /** At most one pending job per key: adding again replaces it. */
  jobKey?: string;
  /** Attempts before it fails for good. Default graphile-worker's, 25. */
  maxAttempts?: number;
}

/** Adds a job in the transaction of `em` (or on its own when `em` has none). */
export async function addJob(em: EntityManager, task: string, payload: Record<string, unknown>, spec: JobSpec = {}): Promise<void> {
  await runSql(
    em,
    `select graphile_worker.add_job(?::text, payload := ?::json, run_at := ?::timestamptz, job_key := ?::text, max_attempts := ?::int)`,
    [task, JSON.stringify(payload), spec.runAt ?? null, spec.jobKey ?? null, spec.maxAttempts ?? null],
  );
}

export interface JobRunnerOptions {
  databaseUrl: string;
  tasks: TaskList;
  /** Recurring jobs (graphile-worker's cron; several processes still add each run once). */
  cron?: CronItem[];
  /** Jobs run at the same time. */
  concurrency: number;
  logger: Logger;
  /** How often to look for jobs scheduled in the future or retried, in milliseconds. Default 1 000. */
  pollIntervalMs?: number;
}

export interface JobRunner {
  /** Graceful: takes no new job, waits for the running ones. */
  stop(): Promise<void>;
}

/** Starts a pool of workers. Signals are left to the caller (main.ts, scripts/worker.ts). */
export async function startJobRunner(options: JobRunnerOptions): Promise<JobRunner> {
  const log = options.logger.child({ component: 'jobs' });
  const runner: Runner = await run({
    connectionString: options.databaseUrl,
    taskList: options.tasks,
    parsedCronItems: parseCronItems(options.cron ?? []),
    concurrency: options.concurrency,
    maxPoolSize: options.concurrency + 2,
    pollInterval: options.pollIntervalMs ?? 1_000,
    noHandleSignals: true,
    logger: workerLogger(options.logger),
  });
  runner.events.on('job:error', ({ job, error }) => {
    if (job.attempts >= job.max_attempts) return; // job:failed follows
    log.warn({ err: error, jobId: job.id, task: job.task_identifier, attempts: job.attempts, maxAttempts: job.max_attempts }, 'job failed; it will be retried');
  });
  runner.events.on('job:failed', ({ job, error }) => {
    log.error({ err: error, jobId: job.id, task: job.task_identifier, attempts: job.attempts }, 'job failed for good: it stays in graphile_worker.jobs');
  });
  let stopping: Promise<void> | null = null;
  return {
    stop: () => (stopping ??= runner.stop()),
  };
}
