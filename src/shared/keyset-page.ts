import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { toConnection, type Connection, type PageRequest } from './pagination';
import { runSql, type SqlFragment } from './sql';

/** Where the items of a keyset-paginated list come from; see {@link keysetConnection}. */
export interface KeysetSource<T extends { id: string }> {
  /** At most `limit` items of the list in its order (newest first), those after the item `afterId` when it is given. */
  fetch: (limit: number, afterId: string | null) => Promise<T[]>;
  /** Counts every item of the list, ignoring the cursor; called only when `totalCount` is asked, after `fetch`. */
  count: () => Promise<number>;
  /** Whether an item of the list is the cursor's or comes before it; called only when `after` was given and `hasPreviousPage` is asked. */
  precedes: (afterId: string) => Promise<boolean>;
}

/**
 * The one keyset pagination that every connection goes through (never OFFSET): `first + 1` items are read, the extra
 * one only saying that a next page exists, so that `first: 0` answers as Relay's connections do: no edge, null
 * cursors, `hasNextPage` true when items follow, and the exact `totalCount`. {@link keysetPage} (entities) and
 * {@link sqlKeysetPage} (hand-written SQL) build on it; a batched read (a loader) gives its own `fetch`.
 */
export async function keysetConnection<T extends { id: string }>(page: PageRequest, source: KeysetSource<T>): Promise<Connection<T>> {
  const rows = await source.fetch(page.first + 1, page.afterId);
  return toConnection({ rows, first: page.first, count: source.count, afterId: page.afterId, precedes: source.precedes });
}

/**
 * One page of `entity` rows matching `where`, newest first: `id < after` (ids are UUIDv7, so they sort by
 * creation); see {@link keysetConnection}.
 */
export function keysetPage<T extends { id: string }>(em: EntityManager, entity: new () => T, where: FilterQuery<T>, page: PageRequest): Promise<Connection<T>> {
  return keysetConnection(page, {
    fetch: async (limit, afterId) => {
      const pageWhere = afterId ? { $and: [where, { id: { $lt: afterId } }] } : where;
      return (await em.find(entity as never, pageWhere as never, { orderBy: { id: 'desc' } as never, limit })) as T[];
    },
    count: () => em.count(entity as never, where as never),
    // The row of the cursor itself, or any newer one that matches: an item before the page.
    precedes: async (afterId) => {
      const qb = em.createQueryBuilder(entity as never).select('id' as never).where({ $and: [where, { id: { $gte: afterId } }] } as never).limit(1);
      // Raw rows: a partial entity must not enter the identity map.
      return (await qb.execute('all', false)).length > 0;
    },
  });
}

/** A list read with hand-written SQL, for {@link sqlKeysetPage}. */
export interface SqlKeysetList<Row, T extends { id: string }> {
  /** The select list of a page; may hold parameters, and may start with `distinct on (<key>)`. */
  columns: SqlFragment;
  /** The tables and joins of the `from` clause, without parameters. */
  from: string;
  /** The list's filter, without the cursor (`true` for none). */
  where: SqlFragment;
  /** What the list is ordered by, newest first, an expression of the `from` clause: its id (`p.id`) or another key. */
  key: string;
  /**
   * The key's value at the cursor, an expression in which `?` is the cursor's id followed by `params`. Default: `?`,
   * the id itself (when `key` is the id).
   */
  keyAtCursor?: SqlFragment;
  /** The node of a row. */
  toNode: (row: Row) => T;
  /** Counts every item of the list, ignoring the cursor; called only when `totalCount` is asked, after the page's read. */
  count: () => Promise<number>;
}

/**
 * One page of a list read with hand-written SQL, newest first by `list.key`, in one statement; see
 * {@link keysetConnection}. `hasPreviousPage`, when asked after `after`, is one more statement: an item of the list at
 * or before the cursor's key.
 */
export function sqlKeysetPage<Row, T extends { id: string }>(em: EntityManager, page: PageRequest, list: SqlKeysetList<Row, T>): Promise<Connection<T>> {
  const cursor = list.keyAtCursor ?? { text: '?', params: [] };
  return keysetConnection(page, {
    fetch: async (limit, afterId) => {
      const after = afterId ? `and ${list.key} < ${cursor.text}` : '';
      const rows = await runSql<Row>(
        em,
        `select ${list.columns.text} from ${list.from} where ${list.where.text} ${after} order by ${list.key} desc limit ?`,
        [...list.columns.params, ...list.where.params, ...(afterId ? [afterId, ...cursor.params] : []), limit],
      );
      return rows.map(list.toNode);
    },
    count: list.count,
    precedes: async (afterId) =>
      (
        await runSql(em, `select 1 from ${list.from} where ${list.where.text} and ${list.key} >= ${cursor.text} limit 1`, [
          ...list.where.params,
          afterId,
          ...cursor.params,
        ])
      ).length > 0,
  });
}

/** `text` as a literal inside a LIKE pattern: `%`, `_` and `\` lose their meaning. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
