import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { RedisClient } from '../../infra/redis';

/**
 * A per-user generation: an opaque value that every write to the user's role, status, sessions, profile or
 * shop replaces with a new one, never seen before. A cached viewer is stamped with the generation read
 * before its row was, and is used only while the user's generation is still that stamp.
 *
 * Values are random, not counters: a counter lost with Redis's data (a restart without persistence, an
 * eviction) could start again at a value that an old entry still carries, and that entry would be taken
 * for current. A random value is never reused, and a missing one matches no stamp.
 */
export interface ViewerGenerations {
  /** The user's generation, or null when it has none (never stamped, expired, lost). At most one Redis GET. */
  current(userId: string): Promise<string | null>;
  /** The user's generation, created when absent: the stamp of an entry about to be read from the database. */
  stamp(userId: string): Promise<string>;
  /** Replaces the user's generation: every entry stamped before is stale, on every instance sharing this store. */
  bump(userId: string): Promise<void>;
}

/** How long a generation stays in Redis after it was last written (seconds). Its loss only costs a cache miss. */
const REDIS_GENERATION_TTL_SECONDS = 86_400;
/** How long a Redis command of the check may take before the database is asked instead (ms). */
const REDIS_TIMEOUT_MS = 250;

/** Generations of one process: right for a single instance, and for tests. At most `max` users (default 100 000). */
export function createInProcessGenerations(max = 100_000): ViewerGenerations {
  // An evicted generation reads as null, which matches no stamp: eviction costs a miss, never a stale hit.
  const generations = new LRUCache<string, string>({ max });
  return {
    async current(userId) {
      return generations.get(userId) ?? null;
    },
    async stamp(userId) {
      let generation = generations.get(userId);
      if (!generation) generations.set(userId, (generation = randomUUID()));
      return generation;
    },
    async bump(userId) {
      generations.set(userId, randomUUID());
    },
  };
}

/**
 * Generations in Redis, shared by every instance: a bump made on instance A before it answers is what
 * instance B reads on its next request, so that a ban counts there from that request too. Commands that
 * cannot run at once (Redis away, slow) fail within {@link REDIS_TIMEOUT_MS}: the caller then asks the database.
 */
export function createRedisGenerations(redis: RedisClient): ViewerGenerations {
  const key = (userId: string) => `atelier:viewer-generation:${userId}`;
  const expiration = { type: 'EX', value: REDIS_GENERATION_TTL_SECONDS } as const;
  return {
    current: (userId) => withTimeout(redis, () => redis.get(key(userId))),
    async stamp(userId) {
      const fresh = randomUUID();
      // SET NX GET (Redis 7): the generation already there, or ours if there was none, in one round trip.
      const existing = await withTimeout(redis, () => redis.set(key(userId), fresh, { condition: 'NX', GET: true, expiration }));
      return typeof existing === 'string' ? existing : fresh;
    },
    async bump(userId) {
      // Sent even while Redis reconnects: node-redis queues it, so that a bump that timed out still lands.
      await withTimeout(redis, () => redis.set(key(userId), randomUUID(), { expiration }), { queue: true });
    },
  };
}

/**
 * Gives up on a command after {@link REDIS_TIMEOUT_MS}. Unless `queue` is set, fails at once while the client
 * is not connected: node-redis would queue the command until it reconnects, and every authenticated request
 * would wait for Redis rather than ask the database.
 */
async function withTimeout<T>(redis: RedisClient, command: () => Promise<T>, options: { queue?: boolean } = {}): Promise<T> {
  if (!options.queue && !redis.isReady) throw new Error('Redis is not connected');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([command(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
