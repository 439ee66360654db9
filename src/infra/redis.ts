import type { createClient } from 'redis';
import type { Logger } from './logger';

export type RedisClient = ReturnType<typeof createClient>;

/**
 * A connected node-redis client. It reconnects by itself with backoff; while Redis is away, commands fail at
 * once and /readyz says so. `name` tells connections apart in logs (`CLIENT LIST`).
 */
export async function connectRedis(url: string, logger: Logger, name: string): Promise<RedisClient> {
  const log = logger.child({ component: 'redis', connection: name });
  // Loaded here, not at start: without REDIS_URL (the embedded default) node-redis would cost every start 0.15 s.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- `require`, not `import()`: the module is CommonJS
  const { createClient } = require('redis') as typeof import('redis');
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

/** A Redis command that did not answer within its deadline (Redis frozen, overloaded, or a half-open connection). */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
  constructor(what: string, ms: number) {
    super(`Redis did not answer ${what} within ${ms} ms`);
  }
}

/** `promise`, or a {@link RedisTimeoutError} once `ms` have passed. The command itself is not cancelled. */
export async function withRedisDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(what, ms)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export interface RedisLinkOptions {
  /** The deadline of every command run through the link, in ms (`REDIS_COMMAND_TIMEOUT_MS`, default 250). */
  timeoutMs: number;
  /**
   * How often, while Redis does not answer, it is probed (PING), and writes that must land
   * ({@link RedisLink.runUntilDone}) are tried again, in ms. Default 500.
   */
  retryIntervalMs?: number;
  logger: Logger;
}

/**
 * A client with the rules that every caller of Redis follows. node-redis alone is not enough: with
 * `disableOfflineQueue` it fails a command at once while disconnected, but a Redis that is up and does not
 * answer (stopped by SIGSTOP, swapping, a half-open TCP connection) hangs a command that was written for as long
 * as it lasts, and its own `timeout` option covers only commands not yet written.
 *
 * So every command has a deadline, and once one has passed it the link is *unresponsive*: further commands fail
 * at once (their callers fall back at no cost) until a PING, sent every `retryIntervalMs`, is answered again.
 */
export interface RedisLink {
  readonly client: RedisClient;
  readonly timeoutMs: number;
  /**
   * Runs `command` within the deadline; while the client is disconnected or unresponsive, fails at once. On a
   * failure the caller falls back (the database, limits in memory), never waits.
   */
  run<T>(what: string, command: (client: RedisClient) => Promise<T>): Promise<T>;
  /**
   * For a write that must reach Redis eventually (an invalidation): runs `command` as {@link run} does and, if it
   * fails or times out, tries it again when Redis is back and every `retryIntervalMs` until it succeeds. A later
   * call with the same `key` replaces a pending one (the newest write is what must land). Rejects as `run` does,
   * so that the caller can do at once what it can, but the write is not lost.
   */
  runUntilDone(key: string, what: string, command: (client: RedisClient) => Promise<unknown>): Promise<void>;
  /**
   * Calls `listener` each time Redis is back after this link lost it (a reconnection, or an answer after a
   * deadline passed), before any other command runs: whatever this instance keeps from Redis may be stale then (a
   * write that another instance could not make, a pub/sub message it could not get), and must be dropped.
   */
  onRecovered(listener: () => void): void;
  /** Writes still waiting to land. */
  pendingWrites(): number;
}

export function createRedisLink(client: RedisClient, options: RedisLinkOptions): RedisLink {
  const { timeoutMs } = options;
  const retryIntervalMs = options.retryIntervalMs ?? 500;
  const log = options.logger.child({ component: 'redis-link' });
  const listeners: (() => void)[] = [];
  const pending = new Map<string, { what: string; command: (client: RedisClient) => Promise<unknown> }>();
  /** Redis was lost (disconnected, or a deadline passed) and has not been seen back since. */
  let lost = false;
  /** A deadline passed and no PING has been answered since: commands fail at once. */
  let unresponsive = false;
  let timer: NodeJS.Timeout | undefined;
  let maintaining = false;

  const recovered = () => {
    if (!lost) return;
    lost = false;
    unresponsive = false;
    log.info('Redis answers again: dropping what was cached from it, sending the writes it missed');
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        log.error({ err: error }, 'a Redis recovery listener failed');
      }
    }
  };
  const noteFailure = (error: unknown) => {
    if (error instanceof RedisTimeoutError) unresponsive = true;
    if (error instanceof RedisTimeoutError || !client.isReady) {
      lost = true;
      ensureTimer();
    }
  };

  const run = async <T>(what: string, command: (client: RedisClient) => Promise<T>): Promise<T> => {
    if (!client.isReady || unresponsive) {
      lost = true;
      ensureTimer();
      throw new Error(`Redis is ${client.isReady ? 'not answering' : 'not connected'} (${what})`);
    }
    try {
      return await withRedisDeadline(command(client), timeoutMs, what);
    } catch (error) {
      noteFailure(error);
      throw error;
    }
  };

  /** While Redis is lost or writes wait: probe it, and once it answers, recover and send the writes. */
  async function maintain(): Promise<void> {
    if (maintaining) return;
    if (!client.isOpen) return stopTimer(); // closed for good (shutdown): nothing will ever land
    if (!client.isReady) return; // node-redis reconnects by itself; 'ready' calls us
    maintaining = true;
    try {
      if (lost) {
        await withRedisDeadline(client.ping(), timeoutMs, 'PING');
        recovered();
      }
      for (const [key, write] of [...pending]) {
        await run(write.what, write.command);
        // Unless a newer write of the same key came meanwhile: that one is still due.
        if (pending.get(key) === write) pending.delete(key);
      }
      if (!lost && pending.size === 0) stopTimer();
    } catch (error) {
      noteFailure(error);
    } finally {
      maintaining = false;
    }
  }
  function ensureTimer(): void {
    if (timer) return;
    timer = setInterval(() => void maintain(), retryIntervalMs);
    timer.unref();
  }
  function stopTimer(): void {
    clearInterval(timer);
    timer = undefined;
  }

  // Attached after connectRedis resolved: every 'ready' from now on is a reconnection.
  client.on('ready', () => {
    lost = true;
    recovered();
    void maintain();
  });
  client.on('error', () => {
    lost = true;
  });

  return {
    client,
    timeoutMs,
    run,
    async runUntilDone(key, what, command) {
      const write = { what, command };
      pending.set(key, write);
      try {
        await run(what, command);
        if (pending.get(key) === write) pending.delete(key);
      } catch (error) {
        ensureTimer();
        log.warn({ err: error, what, pending: pending.size }, 'a Redis write failed: it is sent again until it lands');
        throw error;
      }
    },
    onRecovered(listener) {
      listeners.push(listener);
    },
    pendingWrites: () => pending.size,
  };
}
