import { LRUCache } from 'lru-cache';

/**
 * What one query text weighs in the cache: its text in UTF-16 (2 bytes a character) and its syntax tree, which
 * weighs a few times its text (4 times, measured on the contract's operations).
 */
export const cachedDocumentBytes = (query: string): number => query.length * 2 * 4;

/** At most this many texts, however small: the LRU's own bookkeeping per entry is not free either. */
const MAX_ENTRIES = 1_000;

/**
 * Each query text's parsed and validated outcome (`check`), kept by text and bounded in bytes
 * ({@link cachedDocumentBytes}), least recently used first out: dashboards send the same subscription by the
 * thousand, and each text is then parsed and validated once and its document shared. A text heavier than the
 * whole cache is checked every time and never kept. 300 distinct 95 kB texts once held 28 MB in an unbounded cache.
 *
 * @param maxBytes `WS_DOCUMENT_CACHE_BYTES` (default 5,000,000); 0 keeps nothing.
 */
export function createCheckedDocumentCache<T extends object>(maxBytes: number, check: (query: string) => T) {
  const cache = new LRUCache<string, T>({
    max: MAX_ENTRIES,
    maxSize: Math.max(1, maxBytes),
    sizeCalculation: (_checked, query) => cachedDocumentBytes(query),
  });
  return {
    /** The cached outcome of `query`, or `check(query)` now (kept when it fits). */
    get(query: string): T {
      let checked = cache.get(query);
      if (!checked) {
        checked = check(query);
        if (cachedDocumentBytes(query) <= maxBytes) cache.set(query, checked);
      }
      return checked;
    },
    /** The bytes held now, by {@link cachedDocumentBytes}. */
    bytes: (): number => cache.calculatedSize,
  };
}
