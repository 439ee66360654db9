import { describe, expect, it } from '@jest/globals';
import { createInProcessPubSub, type PubSub } from '../../../src/infra/pubsub';
import { channelIterator } from '../../../src/infra/pubsub-iterator';

/** The in-process pub/sub, counting live subscriptions per channel. */
function countingPubSub(): PubSub & { subscribers: () => number } {
  const inner = createInProcessPubSub();
  let live = 0;
  return {
    publish: (channel, payload) => inner.publish(channel, payload),
    async subscribe(channel, handler) {
      live += 1;
      const unsubscribe = await inner.subscribe(channel, handler);
      return async () => {
        live -= 1;
        await unsubscribe();
      };
    },
    close: () => inner.close(),
    onReconnect: (listener) => inner.onReconnect(listener),
    subscribers: () => live,
  };
}

describe('channel iterators', () => {
  it('should deliver the initial value first, then the messages in order', async () => {
    const pubsub = countingPubSub();
    const events = await channelIterator<number>(pubsub, 'c', { initial: 0 });
    await pubsub.publish('c', 1);
    await pubsub.publish('c', 2);
    expect(await events.next()).toEqual({ done: false, value: 0 });
    expect(await events.next()).toEqual({ done: false, value: 1 });
    expect(await events.next()).toEqual({ done: false, value: 2 });
    await events.return!();
  });

  it('should unsubscribe at once when returned while a next() is waiting, and end that next()', async () => {
    const pubsub = countingPubSub();
    const events = await channelIterator<number>(pubsub, 'c');
    expect(pubsub.subscribers()).toBe(1);
    const waiting = events.next();
    await events.return!();
    expect(pubsub.subscribers()).toBe(0);
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
    await expect(events.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('should keep only the newest messages for a consumer that does not keep up', async () => {
    const pubsub = countingPubSub();
    const events = await channelIterator<number>(pubsub, 'c', { maxQueued: 2 });
    for (const n of [1, 2, 3]) await pubsub.publish('c', n);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await events.next()).value).toBe(2);
    expect((await events.next()).value).toBe(3);
    await events.return!();
  });
});
