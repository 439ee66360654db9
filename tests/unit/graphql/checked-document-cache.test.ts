import { describe, expect, it } from '@jest/globals';
import { cachedDocumentBytes, createCheckedDocumentCache } from '../../../src/graphql/checked-document-cache';

/** A distinct query text of about `characters` characters. */
const queryOf = (tag: number, characters: number) => `query Q${tag} { ${'__typename '.repeat(Math.ceil(characters / 11))}}`;

describe('the cache of checked WebSocket documents', () => {
  it('should check a text once and answer it from the cache after', () => {
    const checks: string[] = [];
    const cache = createCheckedDocumentCache(1_000_000, (query) => {
      checks.push(query);
      return { query };
    });
    const first = cache.get('{ __typename }');
    expect(cache.get('{ __typename }')).toBe(first);
    expect(checks).toEqual(['{ __typename }']);
    expect(cache.bytes()).toBe(cachedDocumentBytes('{ __typename }'));
  });

  it('should never hold more bytes than its bound, however many distinct large texts arrive', () => {
    const maxBytes = 5_000_000;
    const cache = createCheckedDocumentCache(maxBytes, (query) => ({ query }));
    // The attack of the issue: 300 distinct texts of 95 kB.
    for (let i = 0; i < 300; i += 1) {
      cache.get(queryOf(i, 95_000));
      expect(cache.bytes()).toBeLessThanOrEqual(maxBytes);
    }
    expect(cache.bytes()).toBeGreaterThan(maxBytes - cachedDocumentBytes(queryOf(0, 95_000)));
  });

  it('should check a text heavier than the whole cache every time and keep nothing of it', () => {
    let checks = 0;
    const cache = createCheckedDocumentCache(100_000, (query) => {
      checks += 1;
      return { query };
    });
    const heavy = queryOf(1, 20_000);
    expect(cachedDocumentBytes(heavy)).toBeGreaterThan(100_000);
    cache.get(heavy);
    cache.get(heavy);
    expect(checks).toBe(2);
    expect(cache.bytes()).toBe(0);
  });

  it('should evict the least recently used texts first', () => {
    const checks: string[] = [];
    const small = (tag: number) => queryOf(tag, 1_000);
    const cache = createCheckedDocumentCache(cachedDocumentBytes(small(0)) * 2 + 10, (query) => {
      checks.push(query);
      return { query };
    });
    cache.get(small(0));
    cache.get(small(1));
    cache.get(small(0));
    cache.get(small(2)); // evicts 1, used least recently
    cache.get(small(0));
    cache.get(small(1));
    expect(checks).toEqual([small(0), small(1), small(2), small(1)]);
  });
});
