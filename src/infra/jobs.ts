import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Logger as WorkerLogger,
  makeWorkerUtils,
  parseCronItems,
  run,
  runMigrations,
  type CronItem,
  type Runner,
  type Task,
  type TaskList,
  type WorkerEvents,
} from 'graphile-worker';
import { Pool } from 'pg';
import { runSql, type SqlFragment } from '../shared/sql';
import { activeTraceContext, inSpan, SpanKind, traceContextOf, traceIdOf } from './tracing';
import { createWorkerLiveness, type DeadWorker } from './job-worker-liveness';
import type { Logger } from './logger';

/**
 * The durable job queue: graphile-worker, in PostgreSQL (schema `graphile_worker`, which it installs and
 * migrates itself). Jobs are added with SQL in the transaction of the change that causes them, so a job
 * exists if and only if its cause was committed. Delivery is at least once: tasks must be idempotent.
 * A failing job is retried with exponential backoff (graphile-worker's: about e^attempts seconds); after
 * its last attempt it stays in `graphile_worker.jobs` with `last_error`, and is logged at error level.
 * A job whose worker process died mid-run runs again once that process missed three heartbeats
 * (job-worker-liveness.ts), not after graphile-worker's 4 hours.
 */

/**
 * pino under graphile-worker's logger interface. Its meta carries the whole job, payload included (an address,
 * an email): only the job's id and task are kept. Its per-job lines ("Completed task …", "Failed task …") go to
 * trace: the runner's events log the same at debug (start, end) and warn/error (failures), with the error.
 */
function workerLogger(logger: Logger): WorkerLogger {
  const log = logger.child({ component: 'jobs' });
  const levels: Record<string, 'error' | 'warn' | 'info' | 'debug'> = { error: 'error', warning: 'warn', info: 'info', debug: 'debug' };
  return new WorkerLogger((scope) => (level, message, meta) => {
    const { job, error, success, failure, ...rest } = (meta ?? {}) as { job?: { id: string; task_identifier: string }; error?: unknown; success?: boolean; failure?: boolean };
    const perJobLine = job !== undefined && (success !== undefined || failure !== undefined);
    const fields = { ...scope, ...rest, ...(job ? { jobId: job.id, task: job.task_identifier } : {}), ...(error === undefined ? {} : { err: error }) };
    log[perJobLine ? 'trace' : (levels[level] ?? 'info')](fields, message);
  });
}

/** Installs or upgrades graphile-worker's schema; `add_job` exists from then on, whether a worker runs or not. */
export async function migrateJobQueue(databaseUrl: string, logger: Logger): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, logger: workerLogger(logger) });
}

/**
 * Jobs in the queue by task: `queued` (waiting, scheduled or running) and `failed` (no attempt left; they stay in
 * `graphile_worker.jobs` with their last_error). One grouped read of graphile-worker's public view.
 */
export async function jobQueueDepth(em: EntityManager): Promise<Array<{ task: string; queued: number; failed: number }>> {
  return runSql<{ task: string; queued: number; failed: number }>(
    em,
    `select task_identifier as task,
            count(*) filter (where attempts < max_attempts)::int as queued,
            count(*) filter (where attempts >= max_attempts)::int as failed
       from graphile_worker.jobs group by task_identifier`,
  );
}

export interface JobSpec {
  /** When it may run. Default now. */
  runAt?: Date;
  /** At most one pending job per key: adding again replaces it. */
  jobKey?: string;
  /** Attempts before it fails for good. Default graphile-worker's, 25. */
  maxAttempts?: number;
}

/**
 * Adds a job in the transaction of `em` (or on its own when `em` has none). When tracing is on, the payload also
 * carries the W3C `traceparent` of the active span (the request's), and the job runs in a span of the same trace.
 */
export async function addJob(em: EntityManager, task: string, payload: Record<string, unknown>, spec: JobSpec = {}): Promise<void> {
  const { text, params } = addJobSql(task, payload, spec);
  await runSql(em, `select ${text}`, params);
}

/**
 * The `graphile_worker.add_job(…)` call of {@link addJob} as an expression, for a statement that does more in the same
 * round trip (checkout's single write). PostgreSQL runs a function in a `WITH` query only if the statement reads it.
 */
export function addJobSql(task: string, payload: Record<string, unknown>, spec: JobSpec = {}): SqlFragment {
  return {
    text: 'graphile_worker.add_job(?::text, payload := ?::json, run_at := ?::timestamptz, job_key := ?::text, max_attempts := ?::int)',
    params: [task, JSON.stringify({ ...payload, ...activeTraceContext() }), spec.runAt ?? null, spec.jobKey ?? null, spec.maxAttempts ?? null],
  };
}

/**
 * Each task run in a span `job <task>` (kind consumer), child of the span that added the job when its payload
 * carries a `traceparent`: a request's trace goes on through the jobs it caused, their SQL and Stripe calls included.
 */
export function tracedTasks(tasks: TaskList): TaskList {
  return Object.fromEntries(
    Object.entries(tasks).map(([task, run]): [string, Task] => [
      task,
      (payload, helpers) =>
        inSpan(
          `job ${task}`,
          {
            kind: SpanKind.CONSUMER,
            parent: traceContextOf(payload),
            attributes: { 'messaging.system': 'graphile_worker', 'messaging.operation.type': 'process', 'job.task': task, 'job.id': helpers.job.id, 'job.attempt': helpers.job.attempts },
          },
          async () => {
            await run!(payload, helpers);
          },
        ),
    ]),
  ) as TaskList;
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
  /**
   * How often this runner writes its heartbeat and frees the jobs of workers that stopped writing theirs, in
   * milliseconds (WORKER_HEARTBEAT_MS). A worker is dead after three missed heartbeats.
   */
  heartbeatMs: number;
  /** Called after freeing the jobs of dead workers (metrics). Must not throw. */
  onRecovery?: (dead: readonly DeadWorker[]) => void;
}

export interface JobRunner {
  /** Graceful: takes no new job, waits for the running ones, then deletes this runner's heartbeats. */
  stop(): Promise<void>;
}

/** How long a stop waits for the last writes of the jobs that finished during it. */
const SETTLE_TIMEOUT_MS = 5_000;

/**
 * The connections of the workers. Ours, not graphile-worker's, because graphile-worker 0.17 does not await the write
 * that completes a job (fire and forget), and on `stop()` it ends its own pool at once: a job that finished during a
 * graceful stop then stayed locked, its success lost (graphile/worker#223). Its error handlers are the ones
 * graphile-worker asks of a pool it is given.
 */
function createWorkerPool(options: JobRunnerOptions, log: Logger): Pool {
  // keepAlive: a dead peer (a lost machine, a dropped NAT entry) is noticed by TCP instead of never, as on the API's pool.
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.concurrency + 2, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
  pool.on('error', (error) => log.warn({ err: error }, 'an idle job queue connection failed'));
  pool.on('connect', (client) => client.on('error', (error) => log.warn({ err: error }, 'a job queue connection failed')));
  return pool;
}

/** Resolves once no connection of `pool` is in use or awaited, or after `timeoutMs`; answers which. */
async function settle(pool: Pool, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pool.totalCount > pool.idleCount || pool.waitingCount > 0) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/**
 * Starts a pool of workers, with its heartbeat and the recovery of dead workers' jobs (a first round before it
 * resolves). Signals are left to the caller (main.ts, scripts/worker.ts).
 */
export async function startJobRunner(options: JobRunnerOptions): Promise<JobRunner> {
  const log = options.logger.child({ component: 'jobs' });
  // Heartbeats get a connection of their own: a pool whose connections all run long jobs must still beat.
  const utils = await makeWorkerUtils({ connectionString: options.databaseUrl, maxPoolSize: 1, logger: workerLogger(options.logger) });
  const liveness = createWorkerLiveness({ withPgClient: utils.withPgClient, heartbeatMs: options.heartbeatMs, logger: options.logger, onRecovery: options.onRecovery });
  // Our own emitter, given to `run`: it creates the pool (`pool:create`) before it returns the runner and its events.
  const events = new EventEmitter() as WorkerEvents;
  // graphile-worker 0.17 locks jobs with the pool's id, not the workers' (`locked_by`): the pool is what beats.
  events.on('pool:create', ({ workerPool }) => liveness.add(workerPool.id));
  events.on('pool:release', ({ workerPool }) => liveness.remove(workerPool.id));
  const pgPool = createWorkerPool(options, log);
  let runner: Runner;
  try {
    runner = await run({
      pgPool,
      taskList: tracedTasks(options.tasks),
      parsedCronItems: parseCronItems(options.cron ?? []),
      concurrency: options.concurrency,
      pollInterval: options.pollIntervalMs ?? 1_000,
      noHandleSignals: true,
      logger: workerLogger(options.logger),
      events,
    });
  } catch (error) {
    await pgPool.end();
    await utils.release();
    throw error;
  }
  await liveness.start();
  runner.events.on('job:start', ({ job }) => log.debug({ jobId: job.id, task: job.task_identifier, attempt: job.attempts, ...traceIdOf(job.payload) }, 'job started'));
  runner.events.on('job:success', ({ job }) => log.debug({ jobId: job.id, task: job.task_identifier, ...traceIdOf(job.payload) }, 'job succeeded'));
  runner.events.on('job:error', ({ job, error }) => {
    if (job.attempts >= job.max_attempts) return; // job:failed follows
    log.warn({ err: error, jobId: job.id, task: job.task_identifier, attempts: job.attempts, maxAttempts: job.max_attempts, ...traceIdOf(job.payload) }, 'job failed; it will be retried');
  });
  runner.events.on('job:failed', ({ job, error }) => {
    log.error({ err: error, jobId: job.id, task: job.task_identifier, attempts: job.attempts, ...traceIdOf(job.payload) }, 'job failed for good: it stays in graphile_worker.jobs');
  });
  const stop = async () => {
    try {
      await runner.stop();
    } finally {
      // The completions of the last jobs are still on their way (see createWorkerPool).
      if (!(await settle(pgPool, SETTLE_TIMEOUT_MS))) log.warn({ timeoutMs: SETTLE_TIMEOUT_MS }, 'job queue connections still busy after the stop: closing them');
      await pgPool.end();
      // Only now: a job still finishing during the stop must keep its worker alive in others' eyes.
      await liveness.stop();
      await utils.release();
    }
  };
  let stopping: Promise<void> | null = null;
  return {
    stop: () => (stopping ??= stop()),
  };
}
