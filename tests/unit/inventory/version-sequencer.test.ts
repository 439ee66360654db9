import { describe, expect, it } from '@jest/globals';
import { VersionSequencer, type Versioned } from '../../../src/modules/inventory/version-sequencer';

interface Event extends Versioned {
  label: string;
}

const event = (version: number, productId = 'p'): Event => ({ productId, version, label: `${productId}${version}` });

/** A sequencer over a fake ledger holding versions 1..committed of each product. */
function setup(committed: Record<string, number>, options: { failFetches?: number } = {}) {
  const delivered: string[] = [];
  const fetches: [string, number, number][] = [];
  const errors: unknown[] = [];
  let failures = options.failFetches ?? 0;
  const sequencer = new VersionSequencer<Event>({
    fetchRange: async (productId, from, to) => {
      fetches.push([productId, from, to]);
      if (failures-- > 0) throw new Error('database away');
      const last = Math.min(to, committed[productId] ?? 0);
      return Array.from({ length: Math.max(0, last - from + 1) }, (_, i) => event(from + i, productId));
    },
    deliver: (e) => delivered.push(e.label),
    onError: (error) => errors.push(error),
  });
  return { sequencer, delivered, fetches, errors };
}

describe('VersionSequencer', () => {
  it('should deliver consecutive versions as they come, without reading the ledger', async () => {
    const { sequencer, delivered, fetches } = setup({ p: 3 });
    sequencer.track('p', 0);
    for (const v of [1, 2, 3]) await sequencer.offer(event(v));
    expect(delivered).toEqual(['p1', 'p2', 'p3']);
    expect(fetches).toEqual([]);
  });

  it('should drop duplicates and versions already delivered', async () => {
    const { sequencer, delivered } = setup({ p: 2 });
    sequencer.track('p', 0);
    for (const v of [1, 1, 2, 1, 2]) await sequencer.offer(event(v));
    expect(delivered).toEqual(['p1', 'p2']);
  });

  it('should fill a gap from the ledger before delivering the version that revealed it', async () => {
    const { sequencer, delivered, fetches } = setup({ p: 5 });
    sequencer.track('p', 1);
    await sequencer.offer(event(5));
    expect(delivered).toEqual(['p2', 'p3', 'p4', 'p5']);
    expect(fetches).toEqual([['p', 2, 4]]);
    // The lost ones arriving late change nothing.
    await sequencer.offer(event(3));
    expect(delivered).toHaveLength(4);
  });

  it('should keep per-product order when events of one product arrive while a gap is being filled', async () => {
    const { sequencer, delivered } = setup({ p: 4, q: 1 });
    sequencer.track('p', 0);
    sequencer.track('q', 0);
    await Promise.all([sequencer.offer(event(3)), sequencer.offer(event(4)), sequencer.offer(event(1, 'q')), sequencer.offer(event(2))]);
    expect(delivered.filter((label) => label.startsWith('p'))).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(delivered).toContain('q1');
  });

  it('should deliver the tail that no event revealed when told the committed version (catchUp)', async () => {
    const { sequencer, delivered } = setup({ p: 3 });
    sequencer.track('p', 1);
    await sequencer.catchUp('p', 3);
    await sequencer.catchUp('p', 3);
    expect(delivered).toEqual(['p2', 'p3']);
  });

  it('should hold an event back when the gap cannot be read, and deliver all in order once it can', async () => {
    const { sequencer, delivered, errors } = setup({ p: 3 }, { failFetches: 1 });
    sequencer.track('p', 0);
    await sequencer.offer(event(3));
    expect(delivered).toEqual([]);
    expect(errors).toHaveLength(1);
    await sequencer.catchUp('p', 3);
    expect(delivered).toEqual(['p1', 'p2', 'p3']);
  });

  it('should ignore products it does not track, and forget untracked ones', async () => {
    const { sequencer, delivered } = setup({ p: 2 });
    await sequencer.offer(event(1));
    sequencer.track('p', 0);
    sequencer.untrack('p');
    await sequencer.offer(event(1));
    expect(delivered).toEqual([]);
    expect(sequencer.isTracked('p')).toBe(false);
  });
});
