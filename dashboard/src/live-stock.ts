/** Points of a product's sparkline: the levels seen during this session, oldest first. */
export const SPARKLINE_POINTS = 60;

export interface StockChangeEvent {
  productId: string;
  available: number;
  delta: number;
  reason: string;
  version: number;
  at: string;
}

/** What the page saw of one product's stock this session (immutable: a change makes a new one). */
export interface StockTrace {
  /** Levels, oldest first, at most SPARKLINE_POINTS. */
  levels: readonly number[];
  last: { reason: string; delta: number; at: string } | null;
  /** Events seen: a change of this number restarts the row's highlight. */
  changes: number;
}

/** What an event means for the page: applied, or proof that events were missed (refetch), or older than what is shown. */
export type EventVerdict = 'applied' | 'gap' | 'stale';

const EMPTY: StockTrace = { levels: [], last: null, changes: 0 };

/**
 * The session's history of stock events, per product, beside Apollo's cache (which holds the current level, from
 * the event's `product` field). It also keeps each product's last version: versions grow by one per change, so an
 * event that skips one says the page missed something.
 */
export class LiveStockHistory {
  private readonly traces = new Map<string, StockTrace>();
  private readonly versions = new Map<string, number>();
  private readonly listeners = new Map<string, Set<() => void>>();

  /** The levels and versions of a (re)fetch: each becomes the product's known version and its newest point. */
  seed(products: readonly { id: string; available: number; stockVersion: number }[]): void {
    for (const product of products) {
      this.versions.set(product.id, product.stockVersion);
      const trace = this.get(product.id);
      if (trace.levels.at(-1) !== product.available) this.set(product.id, { ...trace, levels: appendLevel(trace.levels, product.available) });
    }
  }

  apply(event: StockChangeEvent): EventVerdict {
    const known = this.versions.get(event.productId);
    if (known !== undefined && event.version <= known) return 'stale';
    this.versions.set(event.productId, event.version);
    const trace = this.get(event.productId);
    this.set(event.productId, {
      levels: appendLevel(trace.levels, event.available),
      last: { reason: event.reason, delta: event.delta, at: event.at },
      changes: trace.changes + 1,
    });
    return known !== undefined && event.version > known + 1 ? 'gap' : 'applied';
  }

  readonly get = (productId: string): StockTrace => this.traces.get(productId) ?? EMPTY;

  subscribe(productId: string, listener: () => void): () => void {
    let set = this.listeners.get(productId);
    if (!set) this.listeners.set(productId, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private set(productId: string, trace: StockTrace): void {
    this.traces.set(productId, trace);
    for (const listener of this.listeners.get(productId) ?? []) listener();
  }
}

function appendLevel(levels: readonly number[], level: number): readonly number[] {
  const next = [...levels, level];
  return next.length > SPARKLINE_POINTS ? next.slice(next.length - SPARKLINE_POINTS) : next;
}
