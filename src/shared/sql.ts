import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs hand-written SQL with `?` placeholders, inside the EntityManager's transaction when it has one.
 * It goes through knex, which sends the values as bound parameters: an array stays one PostgreSQL array
 * (`unnest(?::uuid[])`). MikroORM's `Connection.execute` would inline the values and spread arrays.
 */
export async function runSql<T = Record<string, unknown>>(em: EntityManager, text: string, params: readonly unknown[] = []): Promise<T[]> {
  const raw = em.getKnex().raw(text, params as never);
  const transaction = em.getTransactionContext();
  if (transaction) raw.transacting(transaction);
  const result = (await raw) as { rows: T[] };
  return result.rows;
}
