import type { Logger } from '../../src/infra/logger';
import type { Clock } from '../../src/shared/clock';
import { createTestDatabase, type TestDatabase } from './database';
import { startTestRedis, type TestRedis, type TestRedisOptions } from './redis-server';
import { startTestServer, type TestServer } from './test-server';

/** What one instance of a cluster gets beyond what every instance gets. */
export interface ClusterInstanceOptions {
  /** Environment on top of the cluster's `env` (e.g. a `DATABASE_URL` through a statement counter). */
  env?: Record<string, string>;
  /** Replaces the system clock of this instance only. */
  clock?: Clock;
  logger?: Logger;
}

export interface ClusterOptions {
  /** How many instances (default 2), or the options of each, in order. */
  instances?: number | ClusterInstanceOptions[];
  /**
   * A redis-server of the cluster's own, whose URL every instance gets as REDIS_URL: `true` (default), its options
   * (`{ persistent: true }` to keep data across its restarts), or `false` for instances that share no Redis.
   */
  redis?: boolean | TestRedisOptions;
  /** Environment of every instance. */
  env?: Record<string, string>;
  /** The database the instances share; default a new one. One given here is left for its owner to drop. */
  database?: TestDatabase;
}

export interface Cluster {
  /**
   * The instances, in the order asked for. Only the first runs the job worker (the others get RUN_WORKER=false, as a
   * deployment runs one worker) unless `env` says otherwise. Each one's `close()` may be called early, to test what the
   * others do without it; `cluster.close()` then leaves it be.
   */
  instances: TestServer[];
  /** The shared redis-server; throws when the cluster was started with `redis: false`. */
  readonly redis: TestRedis;
  database: TestDatabase;
  /** Closes every instance still open, then stops Redis and drops the database it created. */
  close(): Promise<void>;
}

/** Calls `close` once, whoever asks first; later calls get the same promise. */
function closeOnce(server: TestServer): TestServer {
  let closing: Promise<void> | undefined;
  return { ...server, close: () => (closing ??= server.close()) };
}

/**
 * Several API instances as `startTestServer` builds them, sharing one database and (by default) one real
 * redis-server: what a deployment behind a load balancer looks like, for tests of what crosses instances
 * (bans, caches, live events, persisted queries). Instances start one after the other.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const perInstance: ClusterInstanceOptions[] = typeof options.instances === 'object' ? options.instances : Array.from({ length: options.instances ?? 2 }, () => ({}));
  const redisOption = options.redis ?? true;
  const ownDatabase = !options.database;
  const instances: TestServer[] = [];
  let database: TestDatabase | undefined = options.database;
  let redis: TestRedis | undefined;
  const close = async () => {
    for (const instance of instances) await instance.close();
    await redis?.stop();
    if (ownDatabase) await database?.drop();
  };
  try {
    [database, redis] = await Promise.all([
      database ?? createTestDatabase(),
      redisOption === false ? undefined : startTestRedis(redisOption === true ? {} : redisOption),
    ]);
    for (const [index, instance] of perInstance.entries()) {
      const env = { ...(index > 0 ? { RUN_WORKER: 'false' } : {}), ...(redis ? { REDIS_URL: redis.url } : {}), ...options.env, ...instance.env };
      instances.push(closeOnce(await startTestServer(env, database, { clock: instance.clock, logger: instance.logger })));
    }
  } catch (error) {
    await close();
    throw error;
  }
  return {
    instances,
    get redis() {
      if (!redis) throw new Error('this cluster was started with redis: false');
      return redis;
    },
    database,
    close,
  };
}
