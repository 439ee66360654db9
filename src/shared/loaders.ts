import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';

/** Loads entities by id in one `WHERE id IN (...)` statement per tick, answering in the order of the keys. */
export function byIdLoader<T extends { id: string }>(em: EntityManager, entity: new () => T): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const rows = (await em.find(entity as never, { id: { $in: [...ids] } } as never)) as T[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** A foreign key guarantees the row; its absence is a bug worth an internal error, not a null. */
export function required<T>(value: T | null, relation: string, ownerId: string): T {
  if (value === null) throw new Error(`missing ${relation} of ${ownerId}`);
  return value;
}
