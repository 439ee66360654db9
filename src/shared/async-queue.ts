/**
 * A push-based async iterator: the source of a GraphQL subscription. Producers `push`; graphql-js pulls with
 * `next()` and calls `return()` when the client completes or the socket closes, which runs `onClose` once.
 *
 * It never grows without bound: past `maxBuffered` unread values the oldest is dropped (and `onOverflow`
 * told), because a client that stops reading must not take the server's memory with it. For live stock a
 * dropped event shows as a version gap, which tells the dashboard to refetch.
 */
export interface AsyncQueueOptions {
  /** Unread values kept at most. Default 1 000. */
  maxBuffered?: number;
  /** Called once, when iteration ends for any reason (return, close, fail). Errors it throws are ignored. */
  onClose?: () => void | Promise<void>;
  /** Called for each value dropped because the reader is too slow. */
  onOverflow?: () => void;
}

export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private readonly waiting: Array<{ resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }> = [];
  private closed = false;
  private failure: { error: unknown } | null = null;
  private readonly maxBuffered: number;

  constructor(private readonly options: AsyncQueueOptions = {}) {
    this.maxBuffered = options.maxBuffered ?? 1_000;
  }

  /** Whether iteration has ended; pushing then does nothing. */
  get isClosed(): boolean {
    return this.closed;
  }

  push(value: T): void {
    if (this.closed) return;
    const reader = this.waiting.shift();
    if (reader) {
      reader.resolve({ value, done: false });
      return;
    }
    this.buffer.push(value);
    if (this.buffer.length > this.maxBuffered) {
      this.buffer.shift();
      this.options.onOverflow?.();
    }
  }

  /** Ends iteration after the buffered values have been read. */
  close(): void {
    if (this.closed) return;
    this.finish();
  }

  /** Ends iteration with an error, after the buffered values have been read. */
  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    this.finish();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.failure = null;
    if (!this.closed) this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    if (!this.closed) this.finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    this.closed = true;
    for (const reader of this.waiting.splice(0)) {
      if (this.failure) {
        reader.reject(this.failure.error);
        this.failure = null;
      } else {
        reader.resolve({ value: undefined, done: true });
      }
    }
    try {
      void Promise.resolve(this.options.onClose?.()).catch(() => undefined);
    } catch {
      // onClose must not break the consumer
    }
  }
}
