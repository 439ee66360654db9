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

/**
 * A piece of hand-written SQL and the values of its `?` placeholders, in the order they appear: pieces from several
 * modules join into one statement (one round trip), their values concatenated in the same order.
 */
export interface SqlFragment {
  text: string;
  params: unknown[];
}

/**
 * A `timestamptz` column as raw SQL hands it back. MikroORM's PostgreSQL driver registers a type parser that keeps
 * `timestamptz` as PostgreSQL's text, so rows read through {@link runSql} hold strings, not `Date`s (entities
 * hydrate `Date`s). Typing such a column `Date` would be a lie that compiles: a `Date` compared with a string is
 * always false. Type it with this, and read it with {@link timestampOf}.
 */
export type SqlTimestamp = string | Date;

/** The instant of a `timestamptz` read through raw SQL; throws on text that is not a timestamp. */
export function timestampOf(value: SqlTimestamp): Date {
  const instant = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(instant.getTime())) throw new TypeError(`not a timestamp: ${String(value)}`);
  return instant;
}

/** {@link timestampOf} of a nullable column. */
export function optionalTimestampOf(value: SqlTimestamp | null): Date | null {
  return value === null ? null : timestampOf(value);
}
