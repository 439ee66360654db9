import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../../infra/logger';
import { runSql } from '../../shared/sql';
import type { Role, UserStatus } from './user.entity';
import type { ViewerGenerations } from './viewer-generations';

/** The caller's shop as its row says, for `Me.shop`. */
export interface ViewerShop {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  country: string;
  currency: string;
  createdAt: Date;
}

/** What the per-request re-check reads about a session and its user: enough to decide, and to answer `Me`. */
export interface ViewerRecord {
  userId: string;
  sessionId: string;
  /** The session was ended (log-out, refresh-token reuse, ban). A session is never revived. */
  revoked: boolean;
  role: Role;
  status: UserStatus;
  email: string;
  /** Sealed (see `sealed-display-name.ts`): opened only when an answer asks for `Me.user.displayName`, not on every re-check. */
  sealedDisplayName: string;
  createdAt: Date;
  updatedAt: Date;
  shop: ViewerShop | null;
}

export interface ViewerCacheOptions {
  generations: ViewerGenerations;
  logger: Logger;
  /** Sessions held; the least recently used go first. Default 50 000 (about 25 MB at most). */
  maxEntries?: number;
  /**
   * Longest life of an entry, in ms. Default 30 000. Only a safety net: every write through the API makes the
   * entries it touches stale at once (see {@link ViewerCache.forget}). What it bounds are writes that bypass
   * the API (SQL by hand, the `create-admin` CLI) and, on an instance that kept its Redis connection, a bump
   * that another instance could not make yet (it is retried until it lands).
   */
  ttlMs?: number;
}

/**
 * The per-request re-check, cached without ever weakening "from the very next request".
 *
 * Rows are held in this process (an LRU keyed by session id), each stamped with its user's generation as it
 * was *before* the row was read; an entry is used only while the user's generation is still that stamp.
 * Every write that changes what an entry holds (ban, unban, role, log-out, refresh-token reuse, a new shop)
 * bumps the user's generation after its commit and before its response ({@link ViewerCache.forget}).
 * So a reader that raced the write either read the committed row, or stamped its entry with the old
 * generation, which no longer matches: a stale entry is never used.
 *
 * With REDIS_URL the generations live in Redis (one GET per request, the only I/O of a warm `Me`); without it,
 * in this process (no I/O at all). Redis holds the generations only, not the rows: a generation is what must
 * be shared for a ban on instance A to count on instance B's next request, and the rows are cheaper kept
 * here (no serialisation, no Redis memory per session). Pub/sub is not used for invalidation: its delivery is
 * at most once and not ordered with A's response, so B could answer from a stale entry after A answered.
 *
 * When the generation cannot be read (Redis away or slower than REDIS_COMMAND_TIMEOUT_MS), the row is read from the database
 * and not cached: the check costs what it did before, and stays exact.
 */
export interface ViewerCache {
  /** The session's record, from the cache when its user's generation still matches, else from the database. */
  load(em: EntityManager, userId: string, sessionId: string): Promise<ViewerRecord | null>;
  /**
   * Makes every cached entry of the user stale, here and on every instance sharing the generations. Call it
   * after the write commits and before answering. Never throws: if Redis cannot take the bump, this
   * instance's entries are all dropped, an error is logged, and the bump is retried until it lands; an instance
   * that was cut off from Redis meanwhile drops its entries when it gets it back.
   */
  forget(userId: string): Promise<void>;
}

export function createViewerCache(options: ViewerCacheOptions): ViewerCache {
  const { generations, logger } = options;
  const entries = new LRUCache<string, { generation: string; record: ViewerRecord }>({
    max: options.maxEntries ?? 50_000,
    ttl: options.ttlMs ?? 30_000,
  });
  // Back from an outage: a bump made elsewhere meanwhile may not have landed yet, so no entry is trusted.
  generations.onReset(() => {
    if (entries.size) logger.info({ dropped: entries.size }, 'viewer generations are back: dropping every cached viewer');
    entries.clear();
  });

  return {
    async load(em, userId, sessionId) {
      let generation: string | null | undefined;
      try {
        generation = await generations.current(userId);
        if (generation !== null) {
          const entry = entries.get(sessionId);
          if (entry && entry.generation === generation && entry.record.userId === userId) return entry.record;
        } else {
          generation = await generations.stamp(userId);
        }
      } catch (error) {
        logger.warn({ err: error, userId }, 'viewer generations unavailable: re-checking against the database');
        generation = undefined;
      }
      const record = await readViewerRecord(em, userId, sessionId);
      if (record && generation) entries.set(sessionId, { generation, record });
      return record;
    },

    async forget(userId) {
      try {
        await generations.bump(userId);
      } catch (error) {
        entries.clear();
        logger.error({ err: error, userId }, 'could not bump a viewer generation now: retried until it lands');
      }
    },
  };
}

interface ViewerRow {
  revoked: boolean;
  role: Role;
  status: UserStatus;
  email: string;
  display_name: string;
  created_at: Date;
  updated_at: Date;
  shop_id: string | null;
  shop_name: string;
  shop_slug: string;
  shop_description: string | null;
  shop_country: string;
  shop_currency: string;
  shop_created_at: Date;
}

/** One statement over the session's and the user's primary keys, and the shop's unique owner index. */
async function readViewerRecord(em: EntityManager, userId: string, sessionId: string): Promise<ViewerRecord | null> {
  const [row] = await runSql<ViewerRow>(
    em,
    `select s.revoked_at is not null as revoked, u.role, u.status, u.email, u.display_name, u.created_at, u.updated_at,
            sh.id as shop_id, sh.name as shop_name, sh.slug as shop_slug, sh.description as shop_description,
            sh.country as shop_country, sh.currency as shop_currency, sh.created_at as shop_created_at
       from auth_session s
       join app_user u on u.id = s.user_id
       left join shop sh on sh.owner_id = u.id
      where s.id = ? and u.id = ?`,
    [sessionId, userId],
  );
  if (!row) return null;
  return {
    userId,
    sessionId,
    revoked: row.revoked,
    role: row.role,
    status: row.status,
    email: row.email,
    sealedDisplayName: row.display_name,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    shop: row.shop_id
      ? {
          id: row.shop_id,
          name: row.shop_name,
          slug: row.shop_slug,
          description: row.shop_description,
          country: row.shop_country,
          currency: row.shop_currency,
          createdAt: new Date(row.shop_created_at),
        }
      : null,
  };
}
