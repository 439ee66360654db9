import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/infra/logger';
import { createInProcessPubSub, createRedisPubSub, type PubSub } from '../../src/infra/pubsub';
import { startTestRedis, type TestRedis } from '../utils/redis-server';

const logger = createLogger('silent');

function nextMessage(pubsub: PubSub, channel: string): Promise<unknown> {
  return new Promise((resolve) => {
    void pubsub.subscribe(channel, (payload) => resolve(payload));
  });
}

describe('pub/sub', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(() => redis?.stop());

  it('should deliver a message in process to every subscriber of the channel', async () => {
    const pubsub = createInProcessPubSub();
    const first = nextMessage(pubsub, 'c');
    const second = nextMessage(pubsub, 'c');
    await pubsub.publish('c', { n: 1 });
    await expect(Promise.all([first, second])).resolves.toEqual([{ n: 1 }, { n: 1 }]);
    await pubsub.close();
  });

  it('should deliver a message published on one instance to a subscriber on another through Redis', async () => {
    const instanceA = await createRedisPubSub(redis.url, logger, { commandTimeoutMs: 250 });
    const instanceB = await createRedisPubSub(redis.url, logger, { commandTimeoutMs: 250 });
    try {
      const received = new Promise<unknown>((resolve) => {
        void instanceB.subscribe('stock', resolve).then(() => instanceA.publish('stock', { productId: 'p', version: 2 }));
      });
      await expect(received).resolves.toEqual({ productId: 'p', version: 2 });
    } finally {
      await instanceA.close();
      await instanceB.close();
    }
  });

  it('should stop delivering after the last local subscriber leaves', async () => {
    const pubsub = await createRedisPubSub(redis.url, logger, { commandTimeoutMs: 250 });
    const seen: unknown[] = [];
    const unsubscribe = await pubsub.subscribe('gone', (payload) => seen.push(payload));
    await unsubscribe();
    // A marker published after on the same connections: Redis delivers in publish order, so 'gone' would come first.
    let onMarker!: (payload: unknown) => void;
    const marker = new Promise<unknown>((resolve) => (onMarker = resolve));
    await pubsub.subscribe('marker', (payload) => onMarker(payload));
    await pubsub.publish('gone', 1);
    await pubsub.publish('marker', 2);
    await expect(marker).resolves.toBe(2);
    expect(seen).toEqual([]);
    await pubsub.close();
  });
});
