import { describe, expect, it } from '@jest/globals';
import { LiveStockHistory, SPARKLINE_POINTS, type StockChangeEvent } from '../../../dashboard/src/live-stock';

const event = (version: number, available: number, delta = 1): StockChangeEvent => ({
  productId: 'p1',
  available,
  delta,
  reason: 'RESTOCK',
  version,
  at: '2026-01-01T00:00:00.000Z',
});

describe("the dashboard's live stock history", () => {
  it('should apply the next version and keep its level, delta and reason', () => {
    const history = new LiveStockHistory();
    history.seed([{ id: 'p1', available: 10, stockVersion: 4 }]);
    expect(history.apply(event(5, 11))).toBe('applied');
    expect(history.get('p1')).toEqual({ levels: [10, 11], last: { reason: 'RESTOCK', delta: 1, at: '2026-01-01T00:00:00.000Z' }, changes: 1 });
  });

  it('should report a gap when a version is skipped, and still show the newer level', () => {
    const history = new LiveStockHistory();
    history.seed([{ id: 'p1', available: 10, stockVersion: 4 }]);
    expect(history.apply(event(7, 13))).toBe('gap');
    expect(history.get('p1').levels.at(-1)).toBe(13);
  });

  it('should ignore an event no newer than what is shown (a duplicate, or one the refetch already had)', () => {
    const history = new LiveStockHistory();
    history.seed([{ id: 'p1', available: 10, stockVersion: 4 }]);
    expect(history.apply(event(4, 10))).toBe('stale');
    expect(history.apply(event(3, 9))).toBe('stale');
    expect(history.get('p1').changes).toBe(0);
  });

  it('should accept the first event of a product it has not seeded', () => {
    const history = new LiveStockHistory();
    expect(history.apply(event(9, 2))).toBe('applied');
    expect(history.apply(event(10, 3))).toBe('applied');
  });

  it('should add a refetched level to the sparkline only when it differs, and keep the last points only', () => {
    const history = new LiveStockHistory();
    history.seed([{ id: 'p1', available: 10, stockVersion: 1 }]);
    history.seed([{ id: 'p1', available: 10, stockVersion: 1 }]);
    expect(history.get('p1').levels).toEqual([10]);
    for (let v = 2; v < SPARKLINE_POINTS + 10; v++) history.apply(event(v, v));
    const { levels } = history.get('p1');
    expect(levels).toHaveLength(SPARKLINE_POINTS);
    expect(levels.at(-1)).toBe(SPARKLINE_POINTS + 9);
  });

  it('should tell only the changed product’s listeners', () => {
    const history = new LiveStockHistory();
    const calls: string[] = [];
    history.subscribe('p1', () => calls.push('p1'));
    const stop = history.subscribe('p2', () => calls.push('p2'));
    history.apply(event(1, 1));
    stop();
    history.apply({ ...event(1, 1), productId: 'p2' });
    expect(calls).toEqual(['p1']);
  });
});
