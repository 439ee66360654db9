import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../../graphql/errors';
import type { RedisLink } from '../../infra/redis';

export interface LoginLimitOptions {
  /** Failed log-ins allowed per account (normalised email) within the window. */
  failuresPerAccount: number;
  /** Failed log-ins allowed per client address within the window, whatever the account. */
  failuresPerAddress: number;
  /** Length of the window, in seconds, counted from the first failure. */
  windowSeconds: number;
  /** Counts shared by every instance through Redis, within its command deadline; null: in this process's memory. */
  redis: RedisLink | null;
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

/** What the login limits need of a rate limiter. */
interface Limiter {
  consume(key: string): Promise<unknown>;
  delete(key: string): Promise<unknown>;
  reward(key: string, points: number): Promise<unknown>;
}

function limiter(options: LoginLimitOptions, kind: string, points: number): Limiter {
  const common = { keyPrefix: `atelier:login-failures:${kind}`, points, duration: options.windowSeconds };
  if (!options.redis) return new RateLimiterMemory(common);
  const link = options.redis;
  // While Redis is unreachable, each instance keeps limiting on its own rather than letting every attempt through.
  const insurance = new RateLimiterMemory(common);
  const shared = new RateLimiterRedis({
    ...common,
    storeClient: link.client,
    // node-redis (v4 and later) rather than ioredis.
    useRedisPackage: true,
    // Disconnected: the insurance at once, not a command that node-redis would refuse anyway.
    rejectIfRedisNotReady: true,
    insuranceLimiter: insurance,
  });
  // rate-limiter-flexible falls back to the insurance when a command fails, not when it hangs (a frozen Redis):
  // past the link's deadline, or at once while the link knows Redis does not answer, the insurance answers.
  // (A late answer may count that attempt twice: on the safe side.)
  const bounded = async <T>(what: string, command: () => Promise<T>, fallback: () => Promise<T>): Promise<T> => {
    try {
      return await link.run(what, command);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw error;
      return fallback();
    }
  };
  return {
    consume: (key) => bounded('login limit', () => shared.consume(key), () => insurance.consume(key)),
    delete: (key) => bounded('login limit reset', () => shared.delete(key), () => insurance.delete(key)),
    reward: (key, rewarded) => bounded('login limit reward', () => shared.reward(key, rewarded), () => insurance.reward(key, rewarded)),
  };
}
