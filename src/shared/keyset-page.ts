import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { toConnection, type Connection, type PageRequest } from './pagination';

/**
 * One page of `entity` rows matching `where`, newest first: `id < after` (ids are UUIDv7, so they sort by
 * creation), `first + 1` rows so that the extra one tells whether a next page exists. Never OFFSET.
 */
export async function keysetPage<T extends { id: string }>(
  em: EntityManager,
  entity: new () => T,
  where: FilterQuery<T>,
  page: PageRequest,
): Promise<Connection<T>> {
  const pageWhere = page.afterId ? { $and: [where, { id: { $lt: page.afterId } }] } : where;
  // Even with `first: 0` one row is read: Relay's hasNextPage says whether items follow an empty page too.
  const rows = (await em.find(entity as never, pageWhere as never, { orderBy: { id: 'desc' } as never, limit: page.first + 1 })) as T[];
  return toConnection({
    rows,
    first: page.first,
    count: () => em.count(entity as never, where as never),
    afterId: page.afterId,
    // The row of the cursor itself, or any newer one that matches: an item before the page.
    precedes: async (afterId) => {
      const qb = em.createQueryBuilder(entity as never).select('id' as never).where({ $and: [where, { id: { $gte: afterId } }] } as never).limit(1);
      // Raw rows: a partial entity must not enter the identity map.
      return (await qb.execute('all', false)).length > 0;
    },
  });
}

/** `text` as a literal inside a LIKE pattern: `%`, `_` and `\` lose their meaning. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
