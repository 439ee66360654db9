import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { RedisLink } from '../../infra/redis';

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
  /**
   * Replaces the user's generation: every entry stamped before is stale, on every instance sharing this store.
   * When the store cannot take it now, it rejects, and the bump is retried until it lands.
   */
  bump(userId: string): Promise<void>;
  /**
   * Calls `listener` when generations may have changed without this instance seeing it (the store is back after an
   * outage, during which another instance's bump may have failed): every entry stamped before must be dropped.
   */
  onReset(listener: () => void): void;
}

/** How long a generation stays in Redis after it was last written (seconds). Its loss only costs a cache miss. */
const REDIS_GENERATION_TTL_SECONDS = 86_400;

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
    onReset() {
      // One process, one map: nothing can change unseen.
    },
  };
}

/**
 * Generations in Redis, shared by every instance: a bump made on instance A before it answers is what
 * instance B reads on its next request, so that a ban counts there from that request too. Every command has the
 * link's deadline (REDIS_COMMAND_TIMEOUT_MS): past it, or while Redis is away, the caller asks the database.
 * A bump that could not land is retried until it does (`RedisLink.runUntilDone`); and when the link comes back
 * from an outage, `onReset` listeners drop what they cached, since another instance's bump may be among those
 * still waiting to land.
 */
export function createRedisGenerations(redis: RedisLink): ViewerGenerations {
  const key = (userId: string) => `atelier:viewer-generation:${userId}`;
  const expiration = { type: 'EX', value: REDIS_GENERATION_TTL_SECONDS } as const;
  return {
    current: (userId) => redis.run('GET viewer generation', (client) => client.get(key(userId))),
    async stamp(userId) {
      const fresh = randomUUID();
      // SET NX GET (Redis 7): the generation already there, or ours if there was none, in one round trip.
      const existing = await redis.run('SET NX viewer generation', (client) => client.set(key(userId), fresh, { condition: 'NX', GET: true, expiration }));
      return typeof existing === 'string' ? existing : fresh;
    },
    async bump(userId) {
      // A fresh value at each attempt: any value never seen before makes every older stamp stale.
      await redis.runUntilDone(`viewer-generation:${userId}`, 'SET viewer generation', (client) => client.set(key(userId), randomUUID(), { expiration }));
    },
    onReset(listener) {
      redis.onRecovered(listener);
    },
  };
}
