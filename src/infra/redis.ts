import { createClient } from 'redis';
import type { Logger } from './logger';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A connected node-redis client. It reconnects by itself with backoff; while Redis is away, commands fail
 * and /readyz says so. `name` tells connections apart in logs (`CLIENT LIST`).
 */
export async function connectRedis(url: string, logger: Logger, name: string): Promise<RedisClient> {
  const log = logger.child({ component: 'redis', connection: name });
  const client = createClient({
    url,
    name: `atelier-${name}`,
    socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5_000), connectTimeout: 5_000 },
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
