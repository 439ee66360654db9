import type { MikroORM } from '@mikro-orm/postgresql';
import type { CronItem, TaskList } from 'graphile-worker';
import { z } from 'zod';
import type { RetentionConfig } from '../../config/config';
import { defineJob } from '../../infra/jobs';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { runSql } from '../../shared/sql';
import { systemScope, type ServiceScope } from '../service-scope';

/** Rows touched per statement: each batch is its own short transaction. */
const BATCH = 5_000;
const DAY_MS = 86_400_000;

/**
 * One purge: what it removes, after how many days (a RetentionConfig field), as one batched statement whose
 * parameters are the cut-off date and the batch size, returning the rows it removed.
 */
interface Purge {
  /** The task is `retention_<name>`; the metric's `job` label is `<name>`. */
  name: string;
  period: keyof RetentionConfig;
  sql: string;
}

/**
 * What is kept only as long as needed. Each purge runs hourly as a graphile-worker cron job, in batches; what it
 * removes is counted in `atelier_retention_rows_removed_total{job}`.
 */
export const PURGES: readonly Purge[] = [
  {
    // Ended sessions (logged out, revoked) and sessions whose every refresh token expired, once past the grace;
    // their refresh tokens go with them (cascade).
    name: 'ended_sessions',
    period: 'sessionGraceDays',
    sql: `delete from auth_session where id in (
            select s.id from auth_session s
             where s.created_at < ? and (s.revoked_at < ?1 or not exists (select 1 from refresh_token t where t.session_id = s.id and t.expires_at >= ?1))
             limit ?) returning id`,
  },
  {
    // Spent or expired refresh tokens of live sessions, past the grace (a spent token presented later is then just unknown).
    name: 'spent_refresh_tokens',
    period: 'sessionGraceDays',
    sql: `delete from refresh_token where id in (select id from refresh_token where used_at < ? or expires_at < ?1 limit ?) returning id`,
  },
  {
    name: 'password_reset_tokens',
    period: 'sessionGraceDays',
    sql: `delete from password_reset_token where id in (select id from password_reset_token where used_at < ? or expires_at < ?1 limit ?) returning id`,
  },
  {
    // The raw body of processed provider events; id, type, outcome and dates stay (duplicates are still recognised).
    name: 'payment_event_payloads',
    period: 'paymentEventPayloadDays',
    sql: `update payment_event set payload = '{}'::jsonb where id in (
            select id from payment_event where received_at < ? and processed_at is not null and payload <> '{}'::jsonb limit ?) returning id`,
  },
  {
    // The body of delivered emails; the row (its unique key is what makes sending idempotent) stays.
    name: 'email_bodies',
    period: 'emailBodyDays',
    sql: `update email_message set body = '' where id in (select id from email_message where created_at < ? and sent_at is not null and body <> '' limit ?) returning id`,
  },
  {
    // Heartbeats of worker processes that stopped beating long ago (a graceful stop deletes its own).
    name: 'dead_worker_heartbeats',
    period: 'workerHeartbeatDays',
    sql: `delete from job_worker_heartbeat where worker_id in (select worker_id from job_worker_heartbeat where seen_at < ? limit ?) returning worker_id`,
  },
  {
    name: 'audit_events',
    period: 'auditEventDays',
    sql: `delete from audit_event where id in (select id from audit_event where created_at < ? limit ?) returning id`,
  },
  {
    // The sealed address of a deleted account's orders, once the legal retention period has passed; the keyed
    // fingerprint of the checkout goes too (it is derived from the address).
    name: 'deleted_buyer_addresses',
    period: 'deletedBuyerAddressDays',
    sql: `update customer_order set shipping_address = null, request_fingerprint = 'erased' where id in (
            select o.id from customer_order o join app_user u on u.id = o.buyer_id
             where u.deleted_at < ? and o.shipping_address is not null limit ?) returning id`,
  },
];

export interface RetentionJobDeps {
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
  retention: RetentionConfig;
  /** Counts the rows each purge removed (`atelier_retention_rows_removed_total`). Default: nothing. */
  onRowsRemoved?: (job: string, rows: number) => void;
}

export function retentionTaskName(purge: Purge): string {
  return `retention_${purge.name}`;
}

/** The job of each purge: run by cron only, with no payload of its own (graphile-worker's `_cron` is dropped). */
const PURGE_JOBS = new Map(PURGES.map((purge) => [purge, defineJob({ name: retentionTaskName(purge), payload: z.object({}) })]));

/** What the purges act as: their scopes' actor, and their log lines' `actor`. */
const ACTOR = 'retention-jobs';

/**
 * Runs one purge to the end, as the system (`scope`), batch after batch; resolves to the rows removed. `?1` in its
 * SQL repeats the first parameter (the cut-off), which knex's `?` placeholders cannot say.
 */
async function runPurge(scope: ServiceScope, deps: RetentionJobDeps, purge: Purge): Promise<number> {
  const cutoff = new Date(scope.clock.now().getTime() - deps.retention[purge.period] * DAY_MS);
  const repeats = purge.sql.match(/\?1/g)?.length ?? 0;
  const text = purge.sql.replace(/\?1/g, '?');
  let removed = 0;
  for (;;) {
    // Each batch its own short transaction, outside the scope's identity map (nothing is loaded).
    const rows = await runSql(scope.em.fork(), text, [cutoff, ...Array.from({ length: repeats }, () => cutoff), BATCH]);
    removed += rows.length;
    if (rows.length) deps.onRowsRemoved?.(purge.name, rows.length);
    if (rows.length < BATCH) return removed;
  }
}

/** The retention tasks for graphile-worker: each purge runs as the system, in a scope named by the job's id. */
export function retentionTasks(deps: RetentionJobDeps): TaskList {
  return Object.assign(
    {},
    ...[...PURGE_JOBS].map(([purge, job]) =>
      job.task(async (_payload, { job: running }) => {
        const scope = systemScope(deps, ACTOR, `job:${running.id}`);
        const removed = await runPurge(scope, deps, purge);
        if (removed) scope.logger.info({ job: purge.name, rows: removed, afterDays: deps.retention[purge.period] }, 'retention: rows removed');
      }),
    ),
  ) as TaskList;
}

/** Every purge, hourly, each at its own minute so that they do not all start together. */
export const retentionCron: CronItem[] = [...PURGE_JOBS.values()].map((job, index) => ({
  task: job.name,
  match: `${(7 * index + 3) % 60} * * * *`,
  identifier: job.name,
}));
