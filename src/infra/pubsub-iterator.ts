import type { PubSub } from './pubsub';

export interface ChannelIteratorOptions<T> {
  /** Delivered first, before any message: a subscription can start with the current state. */
  initial?: T;
  /** Messages held for a slow consumer; past it the oldest are dropped. Default 100. */
  maxQueued?: number;
}

/**
 * The messages of a pub/sub channel as an async iterator, for GraphQL subscriptions. It resolves once the
 * channel is subscribed to (with Redis, once SUBSCRIBE is acknowledged), so nothing published after that is
 * missed. `return()` unsubscribes at once, even while a `next()` waits: graphql-ws calls it when the client
 * completes or the socket closes. (An `async function*` would only unsubscribe at the next message.)
 */
export async function channelIterator<T>(pubsub: PubSub, channel: string, options: ChannelIteratorOptions<T> = {}): Promise<AsyncIterableIterator<T>> {
  const maxQueued = options.maxQueued ?? 100;
  const queued: T[] = 'initial' in options ? [options.initial as T] : [];
  const waiting: ((result: IteratorResult<T, undefined>) => void)[] = [];
  let done = false;

  const unsubscribe = await pubsub.subscribe(channel, (payload) => {
    if (done) return;
    const next = waiting.shift();
    if (next) return next({ done: false, value: payload as T });
    queued.push(payload as T);
    if (queued.length > maxQueued) queued.shift();
  });

  const finish = async (): Promise<IteratorResult<T, undefined>> => {
    if (!done) {
      done = true;
      queued.length = 0;
      for (const resolve of waiting.splice(0)) resolve({ done: true, value: undefined });
      await unsubscribe();
    }
    return { done: true, value: undefined };
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (queued.length) return Promise.resolve({ done: false, value: queued.shift() as T });
      if (done) return Promise.resolve({ done: true, value: undefined });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return: finish,
    async throw(error: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
