import { hostname } from 'node:os';
import type { ClientBase } from 'pg';
import type { Logger } from './logger';

/**
 * Crash recovery of the job queue. graphile-worker locks a running job with its pool id (`locked_by`, `locked_at`)
 * and frees the locks of a dead process only after 4 hours (its `resetLockedAt`). Here every runner writes a
 * heartbeat row per lock holder id of its own (table `job_worker_heartbeat`, the database clock), and every runner
 * frees the jobs of holders that stopped beating with graphile-worker's `force_unlock_workers`, so that a job whose
 * process died mid-run (kill -9, OOM, a crash) runs again within seconds. Tasks are idempotent already (delivery is
 * at least once): a holder declared dead that was only stalled may finish a job that another worker runs again.
 */

/** A holder that missed this many heartbeats in a row is dead. */
export const MISSED_HEARTBEATS = 3;

/** Advisory lock key of the recovery round: one process recovers at a time, so each death is logged and counted once. */
const RECOVERY_LOCK_KEY = 7_204_511_902;

/** A lock holder declared dead, and what it held. */
export interface DeadWorker {
  workerId: string;
  /** The jobs it held locked, freed now (ids of `graphile_worker.jobs`). */
  jobIds: string[];
  /** Its last heartbeat; null when it never wrote one (it locked them before its first heartbeat, or is of an older release). */
  seenAt: Date | null;
  /** The process and host it ran in, from its heartbeat; null without one. */
  pid: number | null;
  host: string | null;
}

/** Writes the heartbeat of `workerIds` (now, by the database clock). Answers the ids whose row was missing. */
export async function recordHeartbeat(client: ClientBase, workerIds: readonly string[], heartbeatMs: number): Promise<string[]> {
  const { rows } = await client.query<{ worker_id: string }>(
    `with updated as (
       update job_worker_heartbeat set seen_at = now(), heartbeat_ms = $2::int where worker_id = any($1::text[]) returning worker_id
     )
     insert into job_worker_heartbeat (worker_id, heartbeat_ms, seen_at, pid, host)
     select id, $2::int, now(), $3::int, $4::text from unnest($1::text[]) as id where id not in (select worker_id from updated)
     on conflict (worker_id) do update set seen_at = excluded.seen_at, heartbeat_ms = excluded.heartbeat_ms
     returning worker_id`,
    [workerIds, heartbeatMs, process.pid, hostname()],
  );
  return rows.map((row) => row.worker_id);
}

/** Deletes the heartbeat rows of `workerIds`: they hold nothing any more. */
export async function forgetHeartbeats(client: ClientBase, workerIds: readonly string[]): Promise<void> {
  await client.query('delete from job_worker_heartbeat where worker_id = any($1::text[])', [workerIds]);
}

/**
 * Frees the jobs of every dead lock holder and answers who they were; null when another process is recovering
 * at this moment (its round does the same work). A holder is dead when its heartbeat is older than
 * {@link MISSED_HEARTBEATS} of its own intervals, or, without a heartbeat row, when even its latest lock is older
 * than `graceMs`: a worker locks its first job before its first heartbeat lands, and must not be robbed of it.
 * Stale rows that hold nothing are deleted in the same transaction. Every time is the database's `now()`.
 */
export async function recoverDeadWorkers(client: ClientBase, graceMs: number): Promise<DeadWorker[] | null> {
  await client.query('begin');
  try {
    const { rows: lock } = await client.query<{ locked: boolean }>('select pg_try_advisory_xact_lock($1) as locked', [RECOVERY_LOCK_KEY]);
    if (!lock[0]?.locked) {
      await client.query('rollback');
      return null;
    }
    const { rows } = await client.query<{ worker_id: string; job_ids: string[]; seen_at: Date | null; pid: number | null; host: string | null }>(
      `with holders as (
         select locked_by as worker_id, max(locked_at) as last_locked_at, array_agg(id::text order by id) as job_ids
         from graphile_worker.jobs where locked_by is not null group by locked_by
       )
       select holders.worker_id, holders.job_ids, heartbeat.seen_at, heartbeat.pid, heartbeat.host
       from holders left join job_worker_heartbeat as heartbeat on heartbeat.worker_id = holders.worker_id
       where case
         when heartbeat.worker_id is null then holders.last_locked_at < now() - $1::int * interval '1 millisecond'
         else heartbeat.seen_at < now() - $2::int * heartbeat.heartbeat_ms * interval '1 millisecond'
       end
       order by holders.worker_id`,
      [graceMs, MISSED_HEARTBEATS],
    );
    const dead = rows.map((row) => ({ workerId: row.worker_id, jobIds: row.job_ids, seenAt: row.seen_at, pid: row.pid, host: row.host }));
    if (dead.length) await client.query('select graphile_worker.force_unlock_workers($1::text[])', [dead.map((worker) => worker.workerId)]);
    await client.query(`delete from job_worker_heartbeat where seen_at < now() - $1::int * heartbeat_ms * interval '1 millisecond'`, [MISSED_HEARTBEATS]);
    await client.query('commit');
    return dead;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}

export interface WorkerLivenessOptions {
  /** A connection of the runner's own (graphile-worker's `WorkerUtils.withPgClient`), never one of the job pool's. */
  withPgClient: <T>(callback: (client: ClientBase) => Promise<T>) => Promise<T>;
  /** How often to beat and to look for dead holders, in milliseconds (WORKER_HEARTBEAT_MS). */
  heartbeatMs: number;
  logger: Logger;
  /** Called after each round that freed jobs (metrics). Must not throw. */
  onRecovery?: (dead: readonly DeadWorker[]) => void;
}

export interface WorkerLiveness {
  /** Vouches for a lock holder of this process (graphile-worker's `pool:create`): it beats from the next round. */
  add(workerId: string): void;
  /** Stops vouching for it (its pool was released); its row is deleted at the next round. */
  remove(workerId: string): void;
  /** Runs a first round (heartbeat, then recovery), then one every `heartbeatMs`. */
  start(): Promise<void>;
  /** Stops the rounds and deletes the rows of this process. Call it once the pool has finished its jobs. */
  stop(): Promise<void>;
}

/** Heartbeats of this process's lock holders and recovery of everyone's dead ones, one round at a time. */
export function createWorkerLiveness(options: WorkerLivenessOptions): WorkerLiveness {
  const log = options.logger.child({ component: 'jobs' });
  const graceMs = MISSED_HEARTBEATS * options.heartbeatMs;
  const live = new Set<string>();
  const removed = new Set<string>();
  /** Ids that wrote a heartbeat once: if one's row is missing later, another process declared it dead. */
  const beaten = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  let stopped = false;

  async function runRound(): Promise<void> {
    await options.withPgClient(async (client) => {
      const retired = [...removed];
      if (retired.length) {
        await forgetHeartbeats(client, retired);
        retired.forEach((id) => removed.delete(id));
      }
      const ids = [...live];
      if (ids.length) {
        const revived = (await recordHeartbeat(client, ids, options.heartbeatMs)).filter((id) => beaten.has(id));
        if (revived.length) {
          // Its row was deleted as stale: this process stalled (a blocked event loop, a lost database) for that long.
          log.error({ workerIds: revived, staleAfterMs: graceMs }, 'this process missed its job heartbeats long enough to be taken for dead: a job it was running may have run twice');
        }
        ids.forEach((id) => beaten.add(id));
      }
      const dead = await recoverDeadWorkers(client, graceMs);
      if (dead?.length) {
        const jobs = dead.reduce((sum, worker) => sum + worker.jobIds.length, 0);
        // A freed job that was on its last attempt does not run again, and has no last_error: this line names it.
        log.warn({ workers: dead, jobs, staleAfterMs: graceMs }, 'job workers declared dead (no heartbeat): their jobs are freed to run again');
        options.onRecovery?.(dead);
      }
    });
  }

  /** A round that never throws: a failed one is logged, and the next one tries again. */
  function safeRound(): Promise<void> {
    round = runRound().catch((error: unknown) => log.warn({ err: error }, 'job worker heartbeat or recovery failed; retrying at the next round'));
    return round;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => void safeRound().then(schedule), options.heartbeatMs);
    // The runner keeps the process alive while it runs; a pending heartbeat must never do so alone.
    timer.unref();
  }

  return {
    add: (workerId) => {
      removed.delete(workerId);
      live.add(workerId);
    },
    remove: (workerId) => {
      if (live.delete(workerId)) removed.add(workerId);
    },
    start: async () => {
      await safeRound();
      schedule();
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await round;
      const ids = [...new Set([...live, ...removed, ...beaten])];
      if (!ids.length) return;
      // Left behind, the rows go stale and the next recovery round anywhere deletes them: not worth failing a stop.
      await options.withPgClient((client) => forgetHeartbeats(client, ids)).catch((error: unknown) => log.warn({ err: error }, 'could not delete the job worker heartbeats'));
    },
  };
}
