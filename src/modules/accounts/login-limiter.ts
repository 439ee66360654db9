import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '../../graphql/errors';
import type { RedisClient } from '../../infra/redis';

export interface LoginLimitOptions {
  /** Failed log-ins allowed per account (normalised email) within the window. */
  failuresPerAccount: number;
  /** Failed log-ins allowed per client address within the window, whatever the account. */
  failuresPerAddress: number;
  /** Length of the window, in seconds, counted from the first failure. */
  windowSeconds: number;
  /** Counts shared by every instance through Redis; null: in this process's memory. */
  redis: RedisClient | null;
  /** Where the counts are kept, so that other limits built on this one count apart. Default `atelier:login-failures`. */
  keyPrefix?: string;
}

/**
 * Brute-force protection of `logIn`, per account and per client address (rate-limiter-flexible).
 *
 * An attempt is counted *before* the password is checked, and given back when it succeeds. Counting first
 * makes the limit hold under concurrency (checking then counting lets a burst of parallel attempts through)
 * and costs an attacker an attempt even when it is refused. Twenty aliased `logIn` fields in one request are
 * twenty attempts: GraphQL runs a mutation's fields one after the other, each through here.
 */
export interface LoginLimiter {
  /** Counts one attempt; throws RATE_LIMITED, with `retryAfterSeconds`, when either limit is passed. */
  attempt(email: string, address: string | null): Promise<void>;
  /** After a successful log-in: the account's count starts again and the address gets its attempt back. */
  succeeded(email: string, address: string | null): Promise<void>;
}

export function createLoginLimiter(options: LoginLimitOptions): LoginLimiter {
  const byAccount = limiter(options, 'account', options.failuresPerAccount);
  const byAddress = limiter(options, 'address', options.failuresPerAddress);
  const addressKey = (address: string | null) => address ?? 'unknown';

  return {
    async attempt(email, address) {
      const outcomes = await Promise.allSettled([byAccount.consume(email), byAddress.consume(addressKey(address))]);
      let waitMs = 0;
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') continue;
        // Only a RateLimiterRes means "over the limit"; anything else is a failure of the store itself.
        if (!(outcome.reason instanceof RateLimiterRes)) throw outcome.reason;
        waitMs = Math.max(waitMs, outcome.reason.msBeforeNext);
      }
      if (outcomes.some((outcome) => outcome.status === 'rejected')) {
        throw new RateLimitedError(Math.max(1, Math.ceil(waitMs / 1000)));
      }
    },
    async succeeded(email, address) {
      await Promise.all([byAccount.delete(email), byAddress.reward(addressKey(address), 1)]);
    },
  };
}

function limiter(options: LoginLimitOptions, kind: string, points: number): RateLimiterAbstract {
  const common = { keyPrefix: `${options.keyPrefix ?? 'atelier:login-failures'}:${kind}`, points, duration: options.windowSeconds };
  if (!options.redis) return new RateLimiterMemory(common);
  return new RateLimiterRedis({
    ...common,
    storeClient: options.redis,
    // node-redis (v4 and later) rather than ioredis.
    useRedisPackage: true,
    // While Redis is unreachable, each instance keeps limiting on its own rather than letting every attempt through.
    insuranceLimiter: new RateLimiterMemory(common),
  });
}
