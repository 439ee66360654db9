import { LRUCache } from 'lru-cache';
import type { CatalogVersion } from './catalog-version';

/** Filters whose counts are kept at most (the least recently used are dropped first): searches make many. */
const MAX_COUNTED_FILTERS = 1_000;

/** What {@link CatalogCounts.lookup} found: the count, when one is known at the current version, and how to keep a new one. */
export interface CountLookup {
  /** The exact count at the catalogue's current version; undefined when it must be read. */
  readonly count: number | undefined;
  /** Keeps a count read after the lookup, under the version current at the lookup. */
  remember(count: number): void;
}

export interface CatalogCounts {
  lookup(filterKey: string): CountLookup;
}

/**
 * Exact counts of the catalogue's lists, kept per filter for as long as the catalogue has not changed. Counting
 * every product that matches a filter is most of PostgreSQL's work for a catalogue page (a scan of the whole list),
 * and the answer is the same until a product, shop, category or stock changes, which bumps the catalogue version
 * (`catalog-version.ts`) on every instance. A count is kept under the version read *before* it was read, so a
 * change that commits during the read leaves it under a version that is already gone: never served. Like the
 * public response cache, an entry also expires after `ttlSeconds`, should a change's notification be lost; 0
 * keeps nothing.
 *
 * Counts read inside a transaction are not kept: they may see writes that are rolled back. `clock` (milliseconds,
 * `performance` by default) is for tests of the expiry.
 */
export function createCatalogCounts(version: CatalogVersion, ttlSeconds: number, clock: { now(): number } = performance): CatalogCounts {
  const entries =
    ttlSeconds > 0
      ? // `ttlResolution: 0`: each lookup reads the clock (lru-cache otherwise keeps a reading for a millisecond on a timer).
        new LRUCache<string, { version: number; count: number }>({ max: MAX_COUNTED_FILTERS, ttl: ttlSeconds * 1_000, ttlResolution: 0, perf: clock })
      : null;
  return {
    lookup(filterKey) {
      const versionAtLookup = version.value;
      const entry = entries?.get(filterKey);
      return {
        count: entry?.version === versionAtLookup ? entry.count : undefined,
        remember(count) {
          // A count read across a change is kept under a version no reader asks for any more: skip it.
          if (entries && version.value === versionAtLookup) entries.set(filterKey, { version: versionAtLookup, count });
        },
      };
    },
  };
}
