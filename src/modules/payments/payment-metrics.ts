import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql } from '../../shared/sql';

/** Payments by status, for the `atelier_payments` gauge: one grouped read of the payment table. */
export async function paymentsByStatus(em: EntityManager): Promise<Array<readonly [string, number]>> {
  const rows = await runSql<{ status: string; count: number }>(em, 'select status, count(*)::int as count from payment group by status');
  return rows.map((row) => [row.status, row.count] as const);
}
