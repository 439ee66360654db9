import { EventEmitter } from 'node:events';
import type { Logger } from './logger';
import { connectRedis, disconnectRedis, type RedisClient } from './redis';

/**
 * Messages between the parts of one instance, and between instances. Without REDIS_URL it is in process;
 * with it, every message travels through Redis pub/sub (node-redis), so that every instance receives it.
 * Payloads are JSON. Delivery is at most once: whoever needs more keeps a durable record elsewhere.
 */
export interface PubSub {
  publish(channel: string, payload: unknown): Promise<void>;
  /** Calls `handler` for each message on `channel` until the returned function is called. */
  subscribe(channel: string, handler: (payload: unknown) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Channel names are prefixed so that several deployments may share one Redis. */
const PREFIX = 'atelier:';

export function createInProcessPubSub(): PubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async publish(channel, payload) {
      // A copy, as Redis would give: no subscriber may mutate what the publisher still holds.
      const copy = JSON.parse(JSON.stringify(payload)) as unknown;
      queueMicrotask(() => emitter.emit(channel, copy));
    },
    async subscribe(channel, handler) {
      emitter.on(channel, handler);
      return async () => {
        emitter.off(channel, handler);
      };
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/**
 * Redis pub/sub needs a connection of its own for subscribing. Local handlers share one Redis subscription
 * per channel, so that 2,000 subscribers to one channel cost one SUBSCRIBE.
 */
export async function createRedisPubSub(url: string, logger: Logger): Promise<PubSub> {
  const publisher: RedisClient = await connectRedis(url, logger, 'publisher');
  const subscriber: RedisClient = await connectRedis(url, logger, 'subscriber');
  const local = createInProcessPubSub();
  const channels = new Map<string, number>();
  const log = logger.child({ component: 'pubsub' });

  return {
    async publish(channel, payload) {
      await publisher.publish(PREFIX + channel, JSON.stringify(payload));
    },
    async subscribe(channel, handler) {
      const unsubscribeLocal = await local.subscribe(channel, handler);
      const count = channels.get(channel) ?? 0;
      channels.set(channel, count + 1);
      if (count === 0) {
        await subscriber.subscribe(PREFIX + channel, (message) => {
          try {
            void local.publish(channel, JSON.parse(message));
          } catch (error) {
            log.error({ err: error, channel }, 'dropped a malformed pub/sub message');
          }
        });
      }
      return async () => {
        await unsubscribeLocal();
        const left = (channels.get(channel) ?? 1) - 1;
        if (left > 0) {
          channels.set(channel, left);
        } else {
          channels.delete(channel);
          // While Redis is away this fails; the local handler is gone already, so nothing more is delivered.
          await subscriber.unsubscribe(PREFIX + channel).catch((error: unknown) => log.warn({ err: error, channel }, 'could not unsubscribe from Redis'));
        }
      };
    },
    async close() {
      await local.close();
      await Promise.all([disconnectRedis(subscriber), disconnectRedis(publisher)]);
    },
  };
}
