import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { escapeLike } from '../../shared/keyset-page';
import { runSql } from '../../shared/sql';

/**
 * The first of `base`, `base-2`, `base-3`… that no row of `table` uses, in one indexed range read. Two
 * concurrent creations may still pick the same one: the unique index decides, and the loser tries again.
 */
export async function firstFreeSlug(em: EntityManager, table: 'shop' | 'product', base: string): Promise<string> {
  const rows = await runSql<{ slug: string }>(em, `select slug from ${table} where slug = ? or slug like ?`, [base, `${escapeLike(base)}-%`]);
  const taken = new Set(rows.map((row) => row.slug));
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base}-${n}`)) n += 1;
  return `${base}-${n}`;
}

/** Six lower-case base-36 characters: enough to keep product slugs apart without asking the database first. */
export function randomSlugSuffix(): string {
  return [...randomBytes(6)].map((byte) => (byte % 36).toString(36)).join('');
}
