import type { EntityManager } from '@mikro-orm/postgresql';
import { newId } from '../../shared/ids';
import { runSql, type SqlFragment } from '../../shared/sql';
import { STOCK_NOTIFY_CHANNEL, type StockChangedEvent } from './stock-events';
import type { StockReason } from './stock-reason';

/** One change of one product's available stock. */
export interface StockChange {
  productId: string;
  /** Units added (positive) or taken (negative); never 0. */
  delta: number;
  reason: StockReason;
  orderId?: string | null;
  /** Who changed it by hand (AdjustStock). */
  actorId?: string | null;
  /** Free text given by that person. */
  note?: string | null;
}

export interface StockChangeOutcome {
  /** The changes made, in the order they were made. */
  applied: StockChangedEvent[];
  /** The product whose change was refused (not enough stock), or null when all were made. */
  refusedProductId: string | null;
}

/**
 * The only writer of available stock. One statement per change, inside the caller's transaction:
 *
 * 1. the product's conditional update — `available >= needed` is re-checked by PostgreSQL against the
 *    committed row after any concurrent update (READ COMMITTED), so no read-then-write can oversell;
 * 2. its stock ledger row, with the new level and version;
 * 3. `pg_notify`, which PostgreSQL delivers only if and when the transaction commits, in commit order.
 *
 * Changes are applied in product id order, the same in every transaction, so that two transactions
 * touching the same products always lock them in the same order and cannot deadlock. The first change
 * that would take a product below zero stops the run: the caller must then roll back.
 */
export async function applyStockChanges(em: EntityManager, changes: StockChange[], at: Date): Promise<StockChangeOutcome> {
  const ordered = [...changes].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]!.productId === ordered[i - 1]!.productId) throw new Error(`two stock changes for product ${ordered[i]!.productId}`);
  }
  const applied: StockChangedEvent[] = [];
  for (const change of ordered) {
    const event = await applyOne(em, change, at);
    if (!event) return { applied, refusedProductId: change.productId };
    applied.push(event);
  }
  return { applied, refusedProductId: null };
}

async function applyOne(em: EntityManager, change: StockChange, at: Date): Promise<StockChangedEvent | null> {
  if (!Number.isInteger(change.delta) || change.delta === 0) throw new Error(`invalid stock delta ${change.delta}`);
  const needed = Math.max(0, -change.delta);
  const atIso = at.toISOString();
  const [row] = await runSql<{ shop_id: string; available: number; version: number }>(
    em,
    `with changed as (
       update product
          set available = available + ?::int, stock_version = stock_version + 1, updated_at = ?::timestamptz
        where id = ?::uuid and available >= ?::int
       returning id, shop_id, available, stock_version
     ), movement as (
       insert into stock_movement (id, product_id, delta, reason, order_id, actor_id, note, available_after, version, created_at)
       select ?::uuid, id, ?::int, ?::stock_reason, ?::uuid, ?::uuid, ?::text, available, stock_version, ?::timestamptz from changed
     )
     select shop_id, available, stock_version as version,
            pg_notify(?, json_build_object(
              'productId', id, 'shopId', shop_id, 'delta', ?::int, 'reason', ?::text,
              'available', available, 'version', stock_version, 'at', ?::text)::text)
       from changed`,
    [
      change.delta, at, change.productId, needed,
      newId(), change.delta, change.reason, change.orderId ?? null, change.actorId ?? null, change.note ?? null, at,
      STOCK_NOTIFY_CHANNEL, change.delta, change.reason, atIso,
    ],
  );
  if (!row) return null;
  return {
    productId: change.productId,
    shopId: row.shop_id,
    delta: change.delta,
    reason: change.reason,
    available: row.available,
    version: row.version,
    at: atIso,
  };
}

/** What every change of a {@link takeStockSql} shares: one cause. */
export interface StockChangeCause {
  reason: StockReason;
  orderId?: string | null;
  actorId?: string | null;
  note?: string | null;
}

/** The parts of one statement that {@link takeStockSql} returns; see there. */
export interface StockChangesSql {
  /** `WITH` queries (no leading `WITH`, no trailing comma) that define `stock_changed`. */
  ctes: SqlFragment;
  /**
   * The select list to read from `stock_changed`: the product's id, shop, new level and version, and the `pg_notify`
   * of its StockChanged event. The statement must select it, or PostgreSQL sends no notification.
   */
  selectList: SqlFragment;
  /**
   * An expression without parameters: the ids of the products whose change was refused (not enough stock), in id
   * order and comma-separated, or null when every change was made. Reading it completes the updates.
   */
  refused: string;
}

/**
 * {@link applyStockChanges} for several products in one statement, for a caller that writes more in the same round
 * trip (checkout: the order, its lines and this, at once). The same three effects per product, with the same
 * guarantees:
 *
 * - the products are locked first, in id order (`SELECT … ORDER BY id FOR UPDATE`, which locks in the order it
 *   returns), so that two transactions over the same products cannot deadlock;
 * - each conditional update (`available >= needed`) is re-checked by PostgreSQL against the committed row after any
 *   concurrent update (READ COMMITTED): no read-then-write, no oversell;
 * - each product's ledger row (new level and version) and its `pg_notify`, delivered only on commit.
 *
 * A product without enough stock is simply not changed: it has no row in `stock_changed`, and the caller, seeing it in
 * `refused`, must abort the statement or roll the transaction back (the other products' changes were made).
 */
export function takeStockSql(changes: Array<{ productId: string; delta: number }>, cause: StockChangeCause, at: Date): StockChangesSql {
  const ids = changes.map((change) => change.productId);
  if (new Set(ids).size !== ids.length) throw new Error('two stock changes for one product');
  for (const change of changes) {
    if (!Number.isInteger(change.delta) || change.delta === 0) throw new Error(`invalid stock delta ${change.delta}`);
  }
  return {
    ctes: {
      text: `stock_locked as (
         select id from product where id = any(?::uuid[]) order by id for update
       ), stock_wanted as (
         select * from unnest(?::uuid[], ?::int[], ?::uuid[]) as wanted(product_id, delta, movement_id)
       ), stock_changed as (
         update product p
            set available = p.available + w.delta, stock_version = p.stock_version + 1, updated_at = ?::timestamptz
           from stock_locked l join stock_wanted w on w.product_id = l.id
          where p.id = l.id and p.available >= greatest(0, -w.delta)
         returning p.id, p.shop_id, p.available, p.stock_version, w.delta, w.movement_id
       ), stock_moved as (
         insert into stock_movement (id, product_id, delta, reason, order_id, actor_id, note, available_after, version, created_at)
         select movement_id, id, delta, ?::stock_reason, ?::uuid, ?::uuid, ?::text, available, stock_version, ?::timestamptz from stock_changed
       )`,
      params: [
        ids,
        ids, changes.map((change) => change.delta), changes.map(() => newId()),
        at,
        cause.reason, cause.orderId ?? null, cause.actorId ?? null, cause.note ?? null, at,
      ],
    },
    selectList: {
      text: `stock_changed.id as product_id, stock_changed.shop_id, stock_changed.available, stock_changed.stock_version as version,
             pg_notify(?, json_build_object(
               'productId', stock_changed.id, 'shopId', stock_changed.shop_id, 'delta', stock_changed.delta, 'reason', ?::text,
               'available', stock_changed.available, 'version', stock_changed.stock_version, 'at', ?::text)::text) as notified`,
      params: [STOCK_NOTIFY_CHANNEL, cause.reason, at.toISOString()],
    },
    refused: `(select string_agg(stock_wanted.product_id::text, ',' order by stock_wanted.product_id) from stock_wanted
                where stock_wanted.product_id not in (select stock_changed.id from stock_changed))`,
  };
}

/**
 * The committed movements of a product with versions from `from` to `to`, in version order: how a live
 * subscriber that missed a notification catches up.
 */
export async function readMovements(em: EntityManager, productId: string, from: number, to: number): Promise<StockChangedEvent[]> {
  const rows = await runSql<{ shop_id: string; delta: number; reason: StockReason; available_after: number; version: number; created_at: Date }>(
    em,
    `select p.shop_id, m.delta, m.reason, m.available_after, m.version, m.created_at
       from stock_movement m join product p on p.id = m.product_id
      where m.product_id = ? and m.version between ? and ?
      order by m.version`,
    [productId, from, to],
  );
  return rows.map((row) => ({
    productId,
    shopId: row.shop_id,
    delta: row.delta,
    reason: row.reason,
    available: row.available_after,
    version: row.version,
    at: new Date(row.created_at).toISOString(),
  }));
}
