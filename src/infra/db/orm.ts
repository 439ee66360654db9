import { join } from 'node:path';
import type { EntityClass } from '@mikro-orm/core';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { Client } from 'pg';
import { migrateJobQueue } from '../jobs';
import type { Logger } from '../logger';
import { infraEntities } from './entities';

/** Where the migrations are: compiled `.js` beside `dist/src`, TypeScript sources when run from `src` (Jest). */
const runningFromSources = __filename.endsWith('.ts');
const migrationsPath = join(__dirname, '..', '..', '..', 'migrations');
/** The checked-in TypeScript migrations, where new ones are written, whether we run from `src` or `dist/src`. */
export const sourceMigrationsPath = runningFromSources ? migrationsPath : join(__dirname, '..', '..', '..', '..', 'migrations');

/** Bounds on the waits of one pool's connections, in ms. */
export interface PoolTimeouts {
  /** A free connection, else knex's KnexTimeoutError. */
  acquireMs: number;
  /** PostgreSQL's `statement_timeout` (error 57014); the client also gives up a second after it (a frozen server). */
  statementMs: number;
  /** PostgreSQL's `lock_timeout` (error 55P03). */
  lockMs: number;
}

export interface OrmOptions {
  url: string;
  /** Every module's entities (`moduleEntities` of `src/modules/index.ts`); the infrastructure's own are added. */
  entities: readonly EntityClass<object>[];
  poolSize?: number;
  /**
   * Absent: knex's 60 s acquisition and no statement or lock timeout, for one-off scripts and the bench. The API
   * passes its short ones; migrations always run with `migrationStatementMs`.
   */
  timeouts?: PoolTimeouts;
  /** `statement_timeout` and `lock_timeout` of the migrations' transaction, in ms. Default 300 000. */
  migrationStatementMs?: number;
  logger: Logger;
  /** Logs every statement at debug level. Default false. */
  debug?: boolean;
}

/** The MikroORM configuration: explicit entity list, migrations from `migrations/`, never schema auto-sync. */
export function ormConfig(options: OrmOptions): Options {
  const log = options.logger.child({ component: 'orm' });
  return {
    clientUrl: options.url,
    entities: [...options.entities, ...infraEntities],
    extensions: [Migrator],
    pool: { min: 0, max: options.poolSize ?? 10 },
    // knex's and pg's options, merged into MikroORM's: every wait on PostgreSQL is bounded.
    driverOptions: {
      ...(options.timeouts ? { acquireConnectionTimeout: options.timeouts.acquireMs } : {}),
      connection: {
        // A dead peer (a lost machine, a dropped NAT entry) is noticed by TCP instead of never.
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
        ...(options.timeouts
          ? {
              statement_timeout: options.timeouts.statementMs,
              lock_timeout: options.timeouts.lockMs,
              // PostgreSQL enforces the two above; a frozen or unreachable server enforces nothing, so pg gives up too.
              query_timeout: options.timeouts.statementMs + 1_000,
            }
          : {}),
      },
    },
    // Entities load relations only through DataLoaders; an accidental lazy load must fail loudly, not issue SQL.
    forceEntityConstructor: false,
    allowGlobalContext: false,
    ensureDatabase: false,
    discovery: { warnWhenNoEntities: true },
    debug: options.debug ?? false,
    logger: (message) => log.debug(message),
    // Load migration files through `require`, so that Jest's transformer compiles the TypeScript ones.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    dynamicImportProvider: (id) => Promise.resolve(require(id)),
    preferTs: runningFromSources,
    // graphile-worker owns its schema and migrates it itself: never diff it into our migrations.
    schemaGenerator: { ignoreSchema: ['graphile_worker'] },
    migrations: {
      path: migrationsPath,
      pathTs: sourceMigrationsPath,
      glob: runningFromSources ? '!(*.d).ts' : '!(*.d).js',
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
      fileName: (timestamp, name) => `Migration${timestamp}${name ? `_${name}` : ''}`,
    },
  };
}

/** The advisory lock that migrating processes take in turn (other keys: the relay's …901, recovery's …902). */
const MIGRATION_LOCK_KEY = 7_204_511_903;

/**
 * Connects, then applies every pending migration: ours (MikroORM), then the job queue's (graphile-worker
 * installs its own schema), so that jobs can be added by any process, whether it runs workers or not.
 * Under a PostgreSQL advisory lock: replicas (and the `migrate` service) that start together migrate one after
 * the other, so the first applies the migrations and the others find nothing left to do, instead of racing to
 * create the same tables.
 */
export async function openDatabase(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(options));
  const migrationMs = options.migrationStatementMs ?? 300_000;
  try {
    await underMigrationLock(options.url, migrationMs, options.logger, async () => {
      if ((await orm.getMigrator().getPendingMigrations()).length) await applyMigrations(orm, options, migrationMs);
      await migrateJobQueue(options.url, options.logger);
    });
  } catch (error) {
    await orm.close();
    throw error;
  }
  return orm;
}

/**
 * Applies the pending migrations in one transaction (allOrNothing), with timeouts of their own: the API's would stop
 * a long index build or a wait behind a lock. Its pool's connections also give up reading after the API's statement
 * timeout plus a second, so with API timeouts the migrations run on a short-lived ORM of their own, without them
 * (opened only when a migration is pending: restarts stay quick).
 */
async function applyMigrations(orm: MikroORM, options: OrmOptions, migrationMs: number): Promise<void> {
  const migrating = options.timeouts ? await MikroORM.init(ormConfig({ ...options, timeouts: undefined, poolSize: 2 })) : orm;
  try {
    const applied = await migrating.em.getConnection().transactional(async (trx) => {
      await trx.raw(`set local statement_timeout = ${migrationMs}`);
      await trx.raw(`set local lock_timeout = ${migrationMs}`);
      return migrating.getMigrator().up({ transaction: trx });
    });
    if (applied.length) options.logger.info({ migrations: applied.map((m) => m.name) }, 'applied migrations');
  } finally {
    if (migrating !== orm) await migrating.close();
  }
}

/**
 * Runs `migrate` holding {@link MIGRATION_LOCK_KEY}, waiting at most `waitMs` for it (then PostgreSQL's
 * lock_timeout error). The lock is session-level on a connection of its own, never one of the pool: the pool's
 * connections carry the API's short timeouts (a client-side read timeout of 11 s would abort a wait behind another
 * replica's long migration), and the migrations use several connections (ours, then graphile-worker's) that one
 * transaction-level lock could not cover. Ending that connection in `finally` releases the lock however
 * `migrate` ends, also when the unlock could not be sent.
 */
async function underMigrationLock(url: string, waitMs: number, logger: Logger, migrate: () => Promise<void>): Promise<void> {
  const lockHolder = new Client({ connectionString: url, lock_timeout: waitMs, keepAlive: true });
  // An idle client that loses its connection emits 'error'; unheard, it would crash the process.
  lockHolder.on('error', (error) => logger.warn({ err: error }, 'the migration lock connection failed'));
  await lockHolder.connect();
  try {
    const { rows } = await lockHolder.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [MIGRATION_LOCK_KEY]);
    if (!rows[0]!.locked) {
      logger.info('another process is migrating this database: waiting for it');
      await lockHolder.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    }
    await migrate();
  } finally {
    await lockHolder.end().catch((error: unknown) => logger.warn({ err: error }, 'could not close the migration lock connection'));
  }
}

/** The connection pool of `orm` (knex's tarn pool) as the metrics read it: lent out, idle, and requests waiting. */
export function poolUsage(orm: MikroORM): { used: number; free: number; waiting: number } {
  const pool = (orm.em.getConnection().getKnex().client as { pool?: TarnPool }).pool;
  return pool ? { used: pool.numUsed(), free: pool.numFree(), waiting: pool.numPendingAcquires() } : { used: 0, free: 0, waiting: 0 };
}

interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}
