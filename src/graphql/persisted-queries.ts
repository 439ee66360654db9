import { LRUCache } from 'lru-cache';

/** The texts of automatic persisted queries kept at most, in characters (about bytes). Default 10 MB. */
export const PERSISTED_QUERIES_MAX_CHARACTERS = 10_000_000;

/**
 * Apollo Server's store of automatic persisted queries (APQ, Apollo Client's `createPersistedQueryLink`): the
 * query text by its SHA-256, in this process's memory, bounded by total size (least recently used go first). A
 * client whose hash was evicted is told `PersistedQueryNotFound` and sends the text again, so losing an entry costs
 * one round trip, never an error. The shape is Apollo's `KeyValueCache`.
 */
export function createPersistedQueryCache(maxCharacters = PERSISTED_QUERIES_MAX_CHARACTERS) {
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
