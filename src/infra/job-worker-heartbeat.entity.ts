import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The last sign of life of a live job queue lock holder (graphile-worker writes its pool id into `locked_by`).
 * Written by the job runner every WORKER_HEARTBEAT_MS with the database clock, deleted when it stops gracefully;
 * a row whose `seen_at` is older than three of its own intervals belongs to a dead process (see job-worker-liveness.ts).
 * Only the runner touches it, with SQL: the entity exists so that the schema is MikroORM's, checked by `migration:check`.
 */
@Entity({ tableName: 'job_worker_heartbeat' })
export class JobWorkerHeartbeat {
  /** The id graphile-worker locks jobs with: `pool-…` in 0.17. */
  @PrimaryKey({ type: 'text' })
  workerId!: string;

  /** Its heartbeat interval, in milliseconds: each row is judged by its own, whatever the judge's configuration. */
  @Property({ type: 'int' })
  heartbeatMs!: number;

  /** The database's `now()` at its last heartbeat. */
  @Property({ type: 'timestamptz' })
  seenAt!: Date;

  /** Process id and host name, for whoever reads the table during an incident. */
  @Property({ type: 'int' })
  pid!: number;

  @Property({ type: 'text' })
  host!: string;
}
