import { createClient } from 'redis';
import type { Logger } from './logger';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A connected node-redis client. It reconnects by itself with backoff; while Redis is away, commands fail at
 * once and /readyz says so. `name` tells connections apart in logs (`CLIENT LIST`).
 */
export async function connectRedis(url: string, logger: Logger, name: string): Promise<RedisClient> {
  const log = logger.child({ component: 'redis', connection: name });
  const client = createClient({
    url,
    name: `atelier-${name}`,
    socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5_000), connectTimeout: 5_000 },
    // While Redis is away a command fails at once instead of waiting in a queue for the reconnection: every
    // caller has a fallback (limits in memory, the viewer re-check from PostgreSQL) or logs and goes on, and
    // none may hang a request (a ban made while Redis is down must still answer).
    disableOfflineQueue: true,
  });
  let reported = false;
  client.on('error', (error: unknown) => {
    // Reported once per outage: node-redis emits an error for every failed reconnection attempt.
    if (!reported) log.error({ err: error }, 'Redis connection error');
    reported = true;
  });
  client.on('ready', () => {
    if (reported) log.info('Redis connection restored');
    reported = false;
  });
  await client.connect();
  return client;
}

/**
 * Closes `client` politely (QUIT) when Redis answers, at once otherwise: shutting down must not fail or hang
 * on Redis. (While Redis is away, node-redis's `quit()` never settles.)
 */
export async function disconnectRedis(client: RedisClient): Promise<void> {
  if (!client.isReady) {
    client.destroy();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.quit(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('QUIT took too long')), 1_000);
      }),
    ]);
  } catch {
    if (client.isOpen) client.destroy();
  } finally {
    clearTimeout(timer);
  }
}
