import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql } from '../../src/shared/sql';

/**
 * Every way the stock ledger and the orders could disagree, read with plain SQL. Empty when the numbers add
 * up: for each product `available = initial_stock + sum(delta)`, `stock_version` = its number of movements,
 * versions 1..n with no gap, each movement's level = the previous level + delta, never below zero; and each
 * order's movements match its lines (taken once; returned once, and only if CANCELLED or EXPIRED).
 */
export async function ledgerProblems(em: EntityManager): Promise<string[]> {
  const problems: string[] = [];
  const products = await runSql<{ id: string; available: number; initial_stock: number; stock_version: number; total: string; movements: string; max_version: number }>(
    em,
    `select p.id, p.available, p.initial_stock, p.stock_version,
            coalesce(sum(m.delta), 0) as total, count(m.id) as movements, coalesce(max(m.version), 0) as max_version
       from product p left join stock_movement m on m.product_id = p.id
      group by p.id`,
  );
  for (const p of products) {
    if (p.available < 0) problems.push(`${p.id}: available ${p.available} is negative`);
    if (p.available !== p.initial_stock + Number(p.total)) problems.push(`${p.id}: available ${p.available} != initial ${p.initial_stock} + movements ${p.total}`);
    if (p.stock_version !== Number(p.movements) || p.max_version !== Number(p.movements)) {
      problems.push(`${p.id}: stock_version ${p.stock_version}, ${p.movements} movements, last version ${p.max_version}`);
    }
  }
  const chain = await runSql<{ product_id: string; version: number; expected_version: number; available_after: number; expected_after: number }>(
    em,
    `select m.product_id, m.version, m.available_after,
            row_number() over w as expected_version,
            coalesce(lag(m.available_after) over w, p.initial_stock) + m.delta as expected_after
       from stock_movement m join product p on p.id = m.product_id
     window w as (partition by m.product_id order by m.version)`,
  );
  for (const m of chain) {
    if (m.version !== Number(m.expected_version)) problems.push(`${m.product_id}: version ${m.version} where ${m.expected_version} was due`);
    if (m.available_after !== Number(m.expected_after)) problems.push(`${m.product_id} v${m.version}: level ${m.available_after} != ${m.expected_after}`);
    if (m.available_after < 0) problems.push(`${m.product_id} v${m.version}: level ${m.available_after} is negative`);
  }
  const orders = await runSql<{ id: string; status: string; line_product: string; quantity: number; sold: string; returned: string; wrong_reason: string }>(
    em,
    `select o.id, o.status, l.product_id as line_product, l.quantity,
            coalesce(sum(-m.delta) filter (where m.reason = 'SALE'), 0) as sold,
            coalesce(sum(m.delta) filter (where m.reason in ('CANCELLATION', 'RESERVATION_RELEASED')), 0) as returned,
            count(*) filter (where (m.reason = 'CANCELLATION' and o.status <> 'CANCELLED')
                                or (m.reason = 'RESERVATION_RELEASED' and o.status <> 'EXPIRED')) as wrong_reason
       from customer_order o join order_line l on l.order_id = o.id
       left join stock_movement m on m.order_id = o.id and m.product_id = l.product_id
      group by o.id, o.status, l.product_id, l.quantity`,
  );
  for (const o of orders) {
    const sold = Number(o.sold);
    const returned = Number(o.returned);
    const released = o.status === 'CANCELLED' || o.status === 'EXPIRED';
    if (sold !== o.quantity) problems.push(`order ${o.id}: sold ${sold} of ${o.line_product}, line says ${o.quantity}`);
    if (returned !== (released ? o.quantity : 0)) problems.push(`order ${o.id} (${o.status}): returned ${returned} of ${o.line_product}`);
    if (Number(o.wrong_reason)) problems.push(`order ${o.id} (${o.status}): a return with the wrong reason`);
  }
  return problems;
}

/** A product's available stock, as stored. */
export async function availableOf(em: EntityManager, productId: string): Promise<number> {
  const [row] = await runSql<{ available: number }>(em, 'select available from product where id = ?', [productId]);
  if (!row) throw new Error(`no product ${productId}`);
  return row.available;
}

/** A product's movements in version order. */
export async function movementsOf(em: EntityManager, productId: string) {
  return runSql<{ delta: number; reason: string; order_id: string | null; actor_id: string | null; note: string | null; available_after: number; version: number }>(
    em,
    'select delta, reason, order_id, actor_id, note, available_after, version from stock_movement where product_id = ? order by version',
    [productId],
  );
}
