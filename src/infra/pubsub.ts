import { EventEmitter } from 'node:events';
import type { Logger } from './logger';
import { connectRedis, createRedisLink, disconnectRedis, withRedisDeadline, type RedisClient } from './redis';

/**
 * Messages between the parts of one instance, and between instances. Without REDIS_URL it is in process;
 * with it, every message travels through Redis pub/sub (node-redis), so that every instance receives it.
 * Payloads are JSON. Delivery is at most once: whoever needs more keeps a durable record elsewhere.
 */
export interface PubSub {
  /**
   * Publishes within the Redis command deadline, or fails: the caller logs and goes on. With `options.redeliver`,
   * a publish that could not reach Redis is sent again when it can (see `RedisLink.runUntilDone`); a later publish
   * with the same key replaces it. For invalidations, which must not be lost to an outage.
   */
  publish(channel: string, payload: unknown, options?: { redeliver?: string }): Promise<void>;
  /** Calls `handler` for each message on `channel` until the returned function is called. */
  subscribe(channel: string, handler: (payload: unknown) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
  /**
   * Calls `listener` when the subscribing connection is back after an outage: messages published meanwhile were
   * lost, and whatever they would have invalidated must be dropped. Never called in process.
   */
  onReconnect(listener: () => void): void;
}

export interface RedisPubSubOptions {
  /** The deadline of a PUBLISH, and of a SUBSCRIBE before it is left to finish on its own, in ms. */
  commandTimeoutMs: number;
  /** How often a publish with `redeliver` is tried again while it has not landed, in ms. Default 1 000. */
  retryIntervalMs?: number;
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
    onReconnect() {
      // Nothing is ever lost in process.
    },
  };
}

/**
 * Redis pub/sub needs a connection of its own for subscribing. Local handlers share one Redis subscription
 * per channel, so that 2,000 subscribers to one channel cost one SUBSCRIBE.
 */
export async function createRedisPubSub(url: string, logger: Logger, options: RedisPubSubOptions): Promise<PubSub> {
  const publisher = createRedisLink(await connectRedis(url, logger, 'publisher'), {
    timeoutMs: options.commandTimeoutMs,
    retryIntervalMs: options.retryIntervalMs,
    logger,
  });
  const subscriber: RedisClient = await connectRedis(url, logger, 'subscriber');
  const local = createInProcessPubSub();
  const channels = new Map<string, number>();
  const log = logger.child({ component: 'pubsub' });
  const reconnectListeners: (() => void)[] = [];
  // Attached after the first connection: every 'ready' from now on is a reconnection, after which node-redis
  // subscribes again to every channel; what was published in between is gone.
  subscriber.on('ready', () => {
    for (const listener of reconnectListeners) listener();
  });

  return {
    async publish(channel, payload, publishOptions) {
      const message = JSON.stringify(payload);
      const command = (client: RedisClient) => client.publish(PREFIX + channel, message);
      const what = `PUBLISH ${channel}`;
      if (publishOptions?.redeliver) await publisher.runUntilDone(`${channel}:${publishOptions.redeliver}`, what, command);
      else await publisher.run(what, command);
    },
    async subscribe(channel, handler) {
      const unsubscribeLocal = await local.subscribe(channel, handler);
      const count = channels.get(channel) ?? 0;
      channels.set(channel, count + 1);
      if (count === 0) {
        const subscribed = subscriber.subscribe(PREFIX + channel, (message) => {
          try {
            void local.publish(channel, JSON.parse(message));
          } catch (error) {
            log.error({ err: error, channel }, 'dropped a malformed pub/sub message');
          }
        });
        // node-redis keeps the listener and sends SUBSCRIBE once it can (while disconnected, after reconnecting;
        // while Redis is frozen, when it answers). Nobody waits for that past the deadline: live subscriptions
        // recover what they miss meanwhile from PostgreSQL (their periodic reconciliation).
        await withRedisDeadline(subscribed, options.commandTimeoutMs, `SUBSCRIBE ${channel}`).catch((error: unknown) =>
          log.warn({ err: error, channel }, 'Redis has not confirmed a subscription yet: going on without waiting'),
        );
      }
      return async () => {
        await unsubscribeLocal();
        const left = (channels.get(channel) ?? 1) - 1;
        if (left > 0) {
          channels.set(channel, left);
        } else {
          channels.delete(channel);
          // While Redis is away this fails; the local handler is gone already, so nothing more is delivered.
          await withRedisDeadline(subscriber.unsubscribe(PREFIX + channel), options.commandTimeoutMs, `UNSUBSCRIBE ${channel}`).catch((error: unknown) =>
            log.warn({ err: error, channel }, 'could not unsubscribe from Redis'),
          );
        }
      };
    },
    async close() {
      await local.close();
      await Promise.all([disconnectRedis(subscriber), disconnectRedis(publisher.client)]);
    },
    onReconnect(listener) {
      reconnectListeners.push(listener);
    },
  };
}
