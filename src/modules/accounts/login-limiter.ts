import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../../shared/errors';
import type { RedisLink } from '../../infra/redis';

export interface LoginLimitOptions {
  /** Failed log-ins per account (normalised email) within the window, after which only clean addresses may try. */
  failuresPerAccount: number;
  /** Failed log-ins per (account, client address) pair within the window. */
  failuresPerAccountAndAddress: number;
  /** Log-in attempts per client address within the window, whatever the account (successes are given back). */
  failuresPerAddress: number;
  /** Length of the window, in seconds, counted from the first failure. */
  windowSeconds: number;
  /** Counts shared by every instance through Redis, within its command deadline; null: in this process's memory. */
  redis: RedisLink | null;
}

/**
 * Brute-force protection of `logIn` that cannot be turned against the account's owner (rate-limiter-flexible).
 *
 * - Per client address: every attempt is counted *before* the password is checked (given back on success), so that
 *   a burst of parallel attempts cannot pass the limit, and a refused attempt still costs the attacker.
 * - Per (account, address) pair: failures only. Past the limit, that address may not try that account.
 * - Per account: failures only. Past the limit the account is *not* locked: an address that has not failed on it
 *   (the owner's, usually) may still try; an address that has failed on it is refused. So ten wrong passwords from
 *   anywhere no longer keep the owner out for fifteen minutes. A botnet gets one guess per address and account per
 *   window, each address also bounded by its own limit.
 *
 * Pair and account counts are read, not written, before the check: an attempt refused by them stores nothing. Keys
 * are SHA-256 digests of the normalised email and the address: bounded whatever the input (callers also refuse
 * over-long emails and passwords before counting anything).
 */
export interface LoginLimiter {
  /** Counts the attempt against the address; throws RATE_LIMITED (with `retryAfterSeconds`) when a limit refuses it. */
  attempt(email: string, address: string | null): Promise<void>;
  /** After a wrong password or an unknown email: counts a failure of the pair and of the account. */
  failed(email: string, address: string | null): Promise<void>;
  /** After a successful log-in: the pair's count starts again and the address gets its attempt back. */
  succeeded(email: string, address: string | null): Promise<void>;
}

export function createLoginLimiter(options: LoginLimitOptions): LoginLimiter {
  const byAccount = windowLimiter(options.redis, 'login-failures:account', options.failuresPerAccount, options.windowSeconds);
  const byPair = windowLimiter(options.redis, 'login-failures:pair', options.failuresPerAccountAndAddress, options.windowSeconds);
  const byAddress = windowLimiter(options.redis, 'login-attempts:address', options.failuresPerAddress, options.windowSeconds);
  const keys = (email: string, address: string | null) => ({
    account: boundedKey(email),
    pair: boundedKey(`${email}\0${address ?? 'unknown'}`),
    address: boundedKey(address ?? 'unknown'),
  });

  return {
    async attempt(email, address) {
      const key = keys(email, address);
      try {
        await byAddress.consume(key.address);
      } catch (error) {
        throw refusal(error);
      }
      const [pair, account] = await Promise.all([byPair.get(key.pair), byAccount.get(key.account)]);
      const pairFailures = pair?.consumedPoints ?? 0;
      if (pairFailures >= options.failuresPerAccountAndAddress) throw retryAfter(pair!.msBeforeNext);
      if ((account?.consumedPoints ?? 0) >= options.failuresPerAccount && pairFailures > 0) throw retryAfter(Math.max(pair!.msBeforeNext, account!.msBeforeNext));
    },
    async failed(email, address) {
      const key = keys(email, address);
      await Promise.all([byPair.penalty(key.pair, 1), byAccount.penalty(key.account, 1)]);
    },
    async succeeded(email, address) {
      const key = keys(email, address);
      await Promise.all([byPair.delete(key.pair), byAddress.reward(key.address, 1)]);
    },
  };
}

/** What the limits need of a rate limiter (rate-limiter-flexible's methods, each bounded by the Redis link's deadline). */
export interface WindowLimiter {
  consume(key: string): Promise<RateLimiterRes>;
  get(key: string): Promise<RateLimiterRes | null>;
  penalty(key: string, points: number): Promise<RateLimiterRes>;
  delete(key: string): Promise<boolean>;
  reward(key: string, points: number): Promise<RateLimiterRes>;
}

/** A fixed-window counter of `points` per `windowSeconds`, in Redis (with an in-memory stand-in while it is away) or in memory. */
export function windowLimiter(redis: RedisLink | null, name: string, points: number, windowSeconds: number): WindowLimiter {
  const common = { keyPrefix: `atelier:${name}`, points, duration: windowSeconds };
  if (!redis) return new RateLimiterMemory(common);
  const link = redis;
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
    consume: (key) => bounded(`${name} limit`, () => shared.consume(key), () => insurance.consume(key)),
    get: (key) => bounded(`${name} limit read`, () => shared.get(key), () => insurance.get(key)),
    penalty: (key, penalty) => bounded(`${name} limit penalty`, () => shared.penalty(key, penalty), () => insurance.penalty(key, penalty)),
    delete: (key) => bounded(`${name} limit reset`, () => shared.delete(key), () => insurance.delete(key)),
    reward: (key, rewarded) => bounded(`${name} limit reward`, () => shared.reward(key, rewarded), () => insurance.reward(key, rewarded)),
  };
}

/** A limiter key of fixed length, whatever the email or address (a 3 kB email once made a 3 kB key per attempt). */
export function boundedKey(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 32);
}

/** A limiter's refusal as RATE_LIMITED; any other error (the store failing) as it is. */
export function refusal(error: unknown): unknown {
  return error instanceof RateLimiterRes ? retryAfter(error.msBeforeNext) : error;
}

function retryAfter(ms: number): RateLimitedError {
  return new RateLimitedError(Math.max(1, Math.ceil(ms / 1000)));
}
