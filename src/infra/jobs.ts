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
  type JobHelpers,
  type Runner,
  type Task,
  type TaskList,
  type WorkerEvents,
} from 'graphile-worker';
import { Pool } from 'pg';
import type { z } from 'zod';
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
 *
 * Each job is defined once with {@link defineJob} (name, zod payload schema, spec): callers add it through its typed
 * `schedule`, the module's task list runs it through its `task`, which parses the payload first. A malformed payload
 * can never become valid: it fails the job for good at its first attempt, logged at error level without its values.
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
 * The `graphile_worker.add_job(…)` call as an SQL expression: `select` it in the transaction of the change that causes
 * the job, or put it in a statement that does more in the same round trip (checkout's single write; PostgreSQL runs a
 * function in a `WITH` query only if the statement reads it). When tracing is on, the payload also carries the W3C
 * `traceparent` of the active span (the request's), and the job runs in a span of the same trace.
 */
function addJobSql(task: string, payload: Record<string, unknown>, spec: JobSpec): SqlFragment {
  return {
    text: 'graphile_worker.add_job(?::text, payload := ?::json, run_at := ?::timestamptz, job_key := ?::text, max_attempts := ?::int)',
    params: [task, JSON.stringify({ ...payload, ...activeTraceContext() }), spec.runAt ?? null, spec.jobKey ?? null, spec.maxAttempts ?? null],
  };
}

/**
 * A job's payload did not match its schema. It can never become valid, so the task that met it has failed the job
 * for good at its first attempt (see {@link defineJob}); the runner logs it at error level with the job's id and task
 * and the faulty fields' paths, never their values (a payload may hold personal data). The message says the same.
 */
export class MalformedJobPayloadError extends Error {
  constructor(
    readonly task: string,
    /** `path: issue code` of each faulty field, e.g. `orderId: invalid_format`. */
    readonly problems: readonly string[],
  ) {
    super(`${task}: malformed payload (${problems.join(', ')}): failed for good, never retried`);
    this.name = 'MalformedJobPayloadError';
  }
}

/** `path: code` of each issue: where a value is wrong and how, without the value. */
function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.code}`);
}

/** Runs one job with its payload parsed: graphile-worker's helpers give the job's id and attempts, and the abort signal. */
type JobHandler<Payload> = (payload: Payload, helpers: JobHelpers) => Promise<void>;

/** A job type of the queue, made by {@link defineJob}. `Schema` is the zod object its payloads match. */
export interface JobDefinition<Schema extends z.ZodObject> {
  /** graphile-worker's task identifier. */
  readonly name: string;
  /** What every payload of this job matches; checked when it is scheduled and again when it runs. */
  readonly payload: Schema;
  /**
   * Adds the job in the transaction of `em` (or on its own when `em` has none), so that it exists if and only if its
   * cause commits; the active trace context rides along (see {@link addJobSql}). The definition's spec for this payload
   * applies, then `spec`'s fields over it. A payload that does not match the schema throws, and nothing is added.
   */
  schedule(em: EntityManager, payload: z.input<Schema>, spec?: JobSpec): Promise<void>;
  /** {@link schedule} as an SQL expression, for a statement that writes more in the same round trip. */
  scheduleSql(payload: z.input<Schema>, spec?: JobSpec): SqlFragment;
  /**
   * The graphile-worker task (`{ [name]: task }`, to spread into a task list) that runs `handler` with the payload
   * parsed by the schema (unknown fields such as the trace context dropped). A malformed payload never reaches the
   * handler: the job is failed for good at once, its `max_attempts` lowered to the attempts made, so that it is not
   * retried 25 times in vain; it stays in `graphile_worker.jobs` with its error (the queue's `failed` gauge counts it),
   * and the task throws a {@link MalformedJobPayloadError}.
   */
  task(handler: JobHandler<z.output<Schema>>): TaskList;
}

interface JobOptions<Schema extends z.ZodObject> {
  /** graphile-worker's task identifier: never rename one that may have jobs waiting. */
  name: string;
  /** The zod object every payload matches. Keep it free of transforms: what is scheduled is what is parsed. */
  payload: Schema;
  /** The spec of a job from its payload (its job key, its attempts). Default none: graphile-worker's defaults. */
  spec?: (payload: z.output<Schema>) => JobSpec;
}

/**
 * Defines a job once: its name, its payload's schema and its spec give a typed `schedule` for whoever adds it, and
 * `task(handler)` for the module's task list, which attaches the handler where its collaborators are at hand (so that
 * a module adding a job never imports what runs it).
 */
export function defineJob<Schema extends z.ZodObject>(options: JobOptions<Schema>): JobDefinition<Schema> {
  const { name, payload: schema } = options;
  const prepare = (payload: z.input<Schema>, spec: JobSpec = {}) => {
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new Error(`${name}: cannot schedule a malformed payload (${problemsOf(parsed.error).join(', ')})`);
    return addJobSql(name, parsed.data as Record<string, unknown>, { ...options.spec?.(parsed.data), ...spec });
  };
  return {
    name,
    payload: schema,
    async schedule(em, payload, spec) {
      const { text, params } = prepare(payload, spec);
      await runSql(em, `select ${text}`, params);
    },
    scheduleSql: prepare,
    task: (handler) => ({
      [name]: async (payload, helpers) => {
        const parsed = schema.safeParse(payload);
        if (parsed.success) return handler(parsed.data, helpers);
        // graphile-worker 0.17 has no call to fail a running job for good (`permanently_fail_jobs` skips locked jobs):
        // with no attempt left, the failure it writes next is the last, and no worker takes the job again.
        await helpers.withPgClient((client) =>
          client.query('update graphile_worker._private_jobs set max_attempts = attempts where id = $1', [helpers.job.id]),
        );
        throw new MalformedJobPayloadError(name, problemsOf(parsed.error));
      },
    }),
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
    if (error instanceof MalformedJobPayloadError) {
      // Failed for good by its task already; its message names the faulty fields, never their values.
      log.error({ err: error, jobId: job.id, task: job.task_identifier, problems: error.problems, ...traceIdOf(job.payload) }, 'job payload malformed: failed for good, never retried; it stays in graphile_worker.jobs');
      return;
    }
    if (job.attempts >= job.max_attempts) return; // job:failed follows
    log.warn({ err: error, jobId: job.id, task: job.task_identifier, attempts: job.attempts, maxAttempts: job.max_attempts, ...traceIdOf(job.payload) }, 'job failed; it will be retried');
  });
  runner.events.on('job:failed', ({ job, error }) => {
    if (error instanceof MalformedJobPayloadError) return; // logged by job:error
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
