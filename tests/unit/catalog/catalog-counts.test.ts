import { describe, expect, it } from '@jest/globals';
import { createCatalogCounts } from '../../../src/modules/catalog/catalog-counts';
import { createCatalogVersion } from '../../../src/modules/catalog/catalog-version';

describe('the counts of the catalogue, kept per filter while the catalogue stands still', () => {
  it('should give a remembered count back while the version has not moved, and forget it at the next change', () => {
    const version = createCatalogVersion();
    const counts = createCatalogCounts(version, 30);
    const first = counts.lookup('all');
    expect(first.count).toBeUndefined();
    first.remember(42);
    expect(counts.lookup('all').count).toBe(42);
    expect(counts.lookup('in stock').count).toBeUndefined();
    version.bump();
    expect(counts.lookup('all').count).toBeUndefined();
  });

  it('should not keep a count read while the catalogue changed: it may predate the change', () => {
    const version = createCatalogVersion();
    const counts = createCatalogCounts(version, 30);
    const lookup = counts.lookup('all');
    version.bump();
    lookup.remember(41);
    expect(counts.lookup('all').count).toBeUndefined();
  });

  it('should forget a count after the TTL even though the version never moved (a lost notification)', () => {
    let nowMs = 1_000;
    const counts = createCatalogCounts(createCatalogVersion(), 30, { now: () => nowMs });
    counts.lookup('all').remember(42);
    nowMs += 29_999;
    expect(counts.lookup('all').count).toBe(42);
    nowMs += 2;
    expect(counts.lookup('all').count).toBeUndefined();
  });

  it('should keep nothing when the catalogue cache is off (a TTL of 0)', () => {
    const counts = createCatalogCounts(createCatalogVersion(), 0);
    counts.lookup('all').remember(42);
    expect(counts.lookup('all').count).toBeUndefined();
  });
});
