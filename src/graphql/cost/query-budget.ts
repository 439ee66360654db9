import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../../infra/logger';
import type { RedisLink } from '../../infra/redis';

/** What one charge left: the numbers of `extensions.cost` and of the `RateLimit` headers. */
export interface BudgetCharge {
  /** False: the operation must not run (RATE_LIMITED); nothing was taken from the bucket. */
  allowed: boolean;
  /** The operation's cost. */
  requested: number;
  /** The bucket's size. */
  limit: number;
  /** Points left after this charge (before it, when refused). */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
  /** When refused: seconds until this cost fits. */
  retryAfterSeconds: number;
}

export interface QueryBudgetOptions {
  /** Size of each client's bucket, in cost points (`QUERY_BUDGET_POINTS`). */
  points: number;
  /** Points given back per second (`QUERY_BUDGET_RESTORE_PER_SECOND`). */
  restorePerSecond: number;
  /** Buckets shared by every instance, each command within the link's deadline; null: in this process's memory. */
  redis: RedisLink | null;
  logger: Logger;
  /** Buckets kept in memory at most (least recently used dropped first). Default 100,000. */
  maxMemoryBuckets?: number;
}

export interface QueryBudget {
  readonly points: number;
  readonly restorePerSecond: number;
  /** Takes `cost` points from `client`'s bucket if they are there; a cost of 0 only reads the bucket. */
  charge(client: BudgetClient, cost: number): Promise<BudgetCharge>;
}

/** Whose bucket: a user's, or (anonymous) a client address's. */
export type BudgetClient = { userId: string } | { address: string | null };

/**
 * A cost-based leaky bucket per client, as Shopify's API does: each client holds up to `points`, an operation
 * takes its cost, and the bucket refills at `restorePerSecond`. Implemented as GCRA (the generic cell rate
 * algorithm), which is that bucket stored as one number per client, the time at which it will be full again: one
 * atomic Lua script in Redis, or an LRU map in memory. rate-limiter-flexible, used for log-ins, counts fixed
 * windows and cannot refill continuously.
 */
export function createQueryBudget(options: QueryBudgetOptions): QueryBudget {
  const msPerPoint = 1_000 / options.restorePerSecond;
  const burstMs = options.points * msPerPoint;
  const memory = new LRUCache<string, number>({ max: options.maxMemoryBuckets ?? 100_000 });
  let redisFailing = false;

  const fromFullAt = (fullAt: number, now: number, cost: number, allowed: boolean): BudgetCharge => {
    const backlogMs = Math.max(0, fullAt - now);
    return {
      allowed,
      requested: cost,
      limit: options.points,
      remaining: Math.max(0, Math.floor((burstMs - backlogMs) / msPerPoint)),
      resetSeconds: Math.ceil(backlogMs / 1_000),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((backlogMs + cost * msPerPoint - burstMs) / 1_000)),
    };
  };

  const chargeInMemory = (key: string, cost: number): BudgetCharge => {
    const now = Date.now();
    const fullAt = Math.max(memory.get(key) ?? now, now);
    const next = fullAt + cost * msPerPoint;
    if (next - now > burstMs) return fromFullAt(fullAt, now, cost, false);
    if (cost > 0) memory.set(key, next, { ttl: Math.ceil(next - now) + 1 });
    return fromFullAt(next, now, cost, true);
  };

  const chargeInRedis = async (redis: RedisLink, key: string, cost: number): Promise<BudgetCharge> => {
    const reply = (await redis.run('query budget', (client) =>
      client.eval(GCRA_SCRIPT, { keys: [key], arguments: [String(msPerPoint), String(burstMs), String(cost)] }),
    )) as [number, number];
    const [allowed, backlogMs] = reply;
    // Redis's clock decided; the numbers are relative to it, so `now` is 0 here.
    return fromFullAt(backlogMs, 0, cost, allowed === 1);
  };

  return {
    points: options.points,
    restorePerSecond: options.restorePerSecond,
    async charge(client, cost) {
      const key = bucketKey(client);
      if (!options.redis) return chargeInMemory(key, cost);
      try {
        const charge = await chargeInRedis(options.redis, key, cost);
        redisFailing = false;
        return charge;
      } catch (error) {
        // Each instance keeps budgeting on its own rather than letting every operation through, or failing them.
        if (!redisFailing) options.logger.warn({ err: error }, 'query budget: Redis unavailable, using this instance\'s memory');
        redisFailing = true;
        return chargeInMemory(key, cost);
      }
    },
  };
}

/** Bounded keys: a user id, or a hash of the address (an address comes from a header, whatever its length). */
function bucketKey(client: BudgetClient): string {
  if ('userId' in client) return `atelier:budget:user:${client.userId}`;
  const digest = createHash('sha256').update(client.address ?? 'unknown').digest('base64url').slice(0, 22);
  return `atelier:budget:address:${digest}`;
}

/**
 * GCRA in one round trip, by Redis's clock (instances' clocks may disagree). KEYS[1]: the bucket; ARGV: ms per
 * point, burst in ms (points × ms per point), cost. Stores when the bucket will be full again; returns
 * { allowed (1/0), ms until full after this charge (before it, when refused) }.
 */
const GCRA_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local msPerPoint = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local fullAt = tonumber(redis.call('GET', KEYS[1]) or now)
if fullAt < now then fullAt = now end
local nextFullAt = fullAt + cost * msPerPoint
if nextFullAt - now > burst then
  return { 0, math.ceil(fullAt - now) }
end
if cost > 0 then
  redis.call('SET', KEYS[1], tostring(nextFullAt), 'PX', math.ceil(nextFullAt - now) + 1)
end
return { 1, math.ceil(nextFullAt - now) }
`;
