import DataLoader from 'dataloader';
import { wrap, type EntityManager } from '@mikro-orm/postgresql';

/**
 * Loads entities by id in one `WHERE id IN (...)` statement per tick, answering in the order of the keys.
 * Entities that the request has already loaded whole (a page of shops, say, whose products then ask for
 * their shop) are taken from the EntityManager's identity map and cost no statement: without this, a
 * nested `product { shop }` re-read the very page of shops it hangs from.
 */
export function byIdLoader<T extends { id: string }>(em: EntityManager, entity: new () => T): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const byId = new Map<string, T>();
    const missing: string[] = [];
    for (const id of ids) {
      const known = em.getUnitOfWork().getById<T>(entity.name, id as never);
      // A reference (a `Ref` of a relation) is in the identity map too, but holds nothing more than its id.
      if (known && wrap(known).isInitialized()) byId.set(id, known);
      else missing.push(id);
    }
    if (missing.length) {
      const rows = (await em.find(entity as never, { id: { $in: missing } } as never)) as T[];
      for (const row of rows) byId.set(row.id, row);
    }
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** A foreign key guarantees the row; its absence is a bug worth an internal error, not a null. */
export function required<T>(value: T | null, relation: string, ownerId: string): T {
  if (value === null) throw new Error(`missing ${relation} of ${ownerId}`);
  return value;
}
