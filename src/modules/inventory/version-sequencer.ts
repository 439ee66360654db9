/** Anything with a per-key version that grows by one with each change. */
export interface Versioned {
  productId: string;
  version: number;
}

export interface VersionSequencerOptions<E extends Versioned> {
  /** Reads the committed events of a product with versions `from`..`to` (inclusive), in order. */
  fetchRange(productId: string, from: number, to: number): Promise<E[]>;
  /** Receives each event once, in version order per product, with no gap. */
  deliver(event: E): void;
  /** A fetch failed; the events stay undelivered until the next `catchUp` or event of that product. */
  onError(error: unknown, productId: string): void;
}

interface Stream {
  /** The version expected next. */
  next: number;
  /** Work on this product runs one step at a time, in arrival order. */
  chain: Promise<void>;
}

/**
 * Turns an unreliable feed of versioned events (duplicated, reordered, or lost on the way) into an exact one
 * per product: every version once, in order. A duplicate or an old version is dropped; a version ahead of
 * the expected one makes it fetch the missing ones first, from the durable source (the stock ledger).
 * Knows nothing of pub/sub or SQL, so that it is tested on its own.
 */
export class VersionSequencer<E extends Versioned> {
  private readonly streams = new Map<string, Stream>();

  constructor(private readonly options: VersionSequencerOptions<E>) {}

  /** Starts following a product whose committed version is `version`: the next event expected is `version + 1`. No-op if followed. */
  track(productId: string, version: number): void {
    if (!this.streams.has(productId)) this.streams.set(productId, { next: version + 1, chain: Promise.resolve() });
  }

  untrack(productId: string): void {
    this.streams.delete(productId);
  }

  isTracked(productId: string): boolean {
    return this.streams.has(productId);
  }

  get trackedProductIds(): string[] {
    return [...this.streams.keys()];
  }

  /** Hands an event in; ignored unless its product is tracked. Resolves when it has been dealt with. */
  offer(event: E): Promise<void> {
    return this.enqueue(event.productId, (stream) => this.handle(stream, event));
  }

  /** Says that the product's committed version is `version`: anything between is fetched and delivered. */
  catchUp(productId: string, version: number): Promise<void> {
    return this.enqueue(productId, async (stream) => {
      if (version >= stream.next) await this.fill(stream, productId, version);
    });
  }

  /** Resolves when the work queued so far on every product is done (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.streams.values()].map((stream) => stream.chain));
  }

  private enqueue(productId: string, step: (stream: Stream) => Promise<void>): Promise<void> {
    const stream = this.streams.get(productId);
    if (!stream) return Promise.resolve();
    const run = stream.chain.then(() => (this.streams.get(productId) === stream ? step(stream) : undefined));
    stream.chain = run.catch(() => undefined);
    return stream.chain;
  }

  private async handle(stream: Stream, event: E): Promise<void> {
    if (event.version < stream.next) return;
    if (event.version > stream.next) {
      const caughtUp = await this.fill(stream, event.productId, event.version - 1);
      if (!caughtUp) return;
    }
    this.emit(stream, event);
  }

  /** Delivers the stored versions `stream.next`..`to`; false when they could not all be read. */
  private async fill(stream: Stream, productId: string, to: number): Promise<boolean> {
    let events: E[];
    try {
      events = await this.options.fetchRange(productId, stream.next, to);
    } catch (error) {
      this.options.onError(error, productId);
      return false;
    }
    for (const event of events) {
      if (this.streams.get(productId) !== stream) return false;
      if (event.version === stream.next) this.emit(stream, event);
    }
    return stream.next > to;
  }

  private emit(stream: Stream, event: E): void {
    stream.next = event.version + 1;
    this.options.deliver(event);
  }
}
