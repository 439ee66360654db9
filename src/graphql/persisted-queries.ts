import type { PersistedQueryOptions } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../infra/logger';
import type { RedisLink } from '../infra/redis';

/** The texts of automatic persisted queries kept at most, in characters (about bytes). Default 10 MB. */
export const PERSISTED_QUERIES_MAX_CHARACTERS = 10_000_000;

/**
 * How long Redis keeps a persisted query's text after its last registration, in seconds (24 hours). Without an
 * expiry, every variant a client ever sent would stay in Redis for good; with it, a text unused for a day costs its
 * client one resend.
 */
export const PERSISTED_QUERIES_REDIS_TTL_SECONDS = 86_400;

/** Apollo hands the store keys of its own, `apq:<sha256>`: in Redis they read `atelier:apq:<sha256>`. */
const REDIS_KEY_PREFIX = 'atelier:';

/** Apollo's `KeyValueCache` of query texts, as `persistedQueries.cache` takes it. */
export type PersistedQueryCache = NonNullable<PersistedQueryOptions['cache']>;

/**
 * Apollo Server's store of automatic persisted queries (APQ, Apollo Client's `createPersistedQueryLink`): the
 * query text by its SHA-256, in this process's memory, bounded by total size (least recently used go first). A
 * client whose hash was evicted is told `PersistedQueryNotFound` and sends the text again, so losing an entry costs
 * one round trip, never an error. The shape is Apollo's `KeyValueCache`.
 */
export function createPersistedQueryCache(maxCharacters = PERSISTED_QUERIES_MAX_CHARACTERS): PersistedQueryCache {
  const cache = new LRUCache<string, string>({ maxSize: maxCharacters, sizeCalculation: (value, key) => value.length + key.length });
  return {
    async get(key: string): Promise<string | undefined> {
      return cache.get(key);
    },
    async set(key: string, value: string): Promise<void> {
      cache.set(key, value);
    },
    async delete(key: string): Promise<boolean> {
      return cache.delete(key);
    },
  };
}

export interface RedisPersistedQueryCacheOptions {
  /** The link of the commands (`REDIS_URL`): every command has its deadline (`REDIS_COMMAND_TIMEOUT_MS`). */
  redis: RedisLink;
  logger: Logger;
  /** Characters kept in this process's own copy. Default {@link PERSISTED_QUERIES_MAX_CHARACTERS}. */
  localMaxCharacters?: number;
  /** Expiry of each text in Redis, in seconds. Default {@link PERSISTED_QUERIES_REDIS_TTL_SECONDS}. */
  ttlSeconds?: number;
}

/**
 * The persisted queries of a deployment of several instances (`REDIS_URL` set): a hash registered on one
 * instance is known to the others, so a client behind a load balancer (or a CDN's GET) is not asked for the text
 * again by every instance it reaches. Each instance keeps its own bounded copy in front ({@link
 * createPersistedQueryCache}), so a hot query costs no Redis round trip.
 *
 * Apollo does not catch a failed lookup (the request would fail), so a lookup that fails, or outlasts the Redis
 * deadline, or finds Redis away, answers "unknown": the client sends the text again and its request runs. A
 * registration that fails is left to Apollo, which logs it and goes on.
 */
export function createRedisPersistedQueryCache(options: RedisPersistedQueryCacheOptions): PersistedQueryCache {
  const { redis } = options;
  const log = options.logger.child({ component: 'persisted-queries' });
  const local = createPersistedQueryCache(options.localMaxCharacters);
  const expiration = { type: 'EX', value: options.ttlSeconds ?? PERSISTED_QUERIES_REDIS_TTL_SECONDS } as const;
  return {
    async get(hash) {
      const known = await local.get(hash);
      if (known !== undefined) return known;
      try {
        const text = await redis.run('GET persisted query', (client) => client.get(REDIS_KEY_PREFIX + hash));
        if (typeof text !== 'string') return undefined;
        await local.set(hash, text);
        return text;
      } catch (error) {
        log.debug({ err: error }, 'persisted query lookup in Redis failed: the client will send the text again');
        return undefined;
      }
    },
    async set(hash, text) {
      await local.set(hash, text);
      await redis.run('SET persisted query', (client) => client.set(REDIS_KEY_PREFIX + hash, text, { expiration }));
    },
    async delete(hash) {
      const deleted = await local.delete(hash);
      await redis.run('DEL persisted query', (client) => client.del(REDIS_KEY_PREFIX + hash));
      return deleted;
    },
  };
}
