import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql, type SqlFragment } from '../../shared/sql';

/**
 * What checkout (and account deletion) may know of and do to a buyer's cart, always through these functions: the
 * cart module is the only reader and writer of `cart` and `cart_line`. Checkout reads the cart and writes the order
 * in one statement each (tests/integration/orders/checkout-statements.test.ts), so most of these are pieces of SQL
 * that its statements compose, their `?` values carried beside them (see `SqlFragment`).
 */

/**
 * Expressions for checkout's read statement (one snapshot, no lock), each a scalar subquery:
 *
 * - `version`: the cart row's version, the `xmin` of its tuple (the transaction that last wrote it), as text; null
 *   when the buyer has no cart row. Every cart change and every checkout writes that row, so a write that commits only
 *   while the row is still this version ({@link cartCheckoutWriteSql}) knows that nothing changed since the read.
 * - `pricedLines`: the lines, as a JSON array in product id order of `{ productId, quantity, priceAmount, currency,
 *   shopId, archived }`, with their products' prices now (`[]` for no line).
 * - `productIds`: a subquery of the product ids of the cart (for `product_id in (…)`).
 */
export function cartCheckoutReadSql(cartId: string): { version: SqlFragment; pricedLines: SqlFragment; productIds: SqlFragment } {
  return {
    version: { text: '(select xmin::text from cart where id = ?)', params: [cartId] },
    pricedLines: {
      text: `coalesce((select json_agg(json_build_object('productId', l.product_id, 'quantity', l.quantity, 'priceAmount', p.price_amount,
                                                         'currency', p.currency, 'shopId', p.shop_id, 'archived', p.archived) order by l.product_id)
                         from cart_line l join product p on p.id = l.product_id where l.cart_id = ?), '[]')`,
      params: [cartId],
    },
    productIds: { text: '(select product_id from cart_line where cart_id = ?)', params: [cartId] },
  };
}

/** The parts of checkout's write statement that concern the cart; see {@link cartCheckoutWriteSql}. */
export interface CartCheckoutWriteSql {
  /** The first `WITH` query (no leading `WITH`, no trailing comma): locks the cart row (`FOR UPDATE`). */
  lock: SqlFragment;
  /** `WITH` queries (no leading `WITH`, no trailing comma) that empty the cart and write its row. */
  empty: SqlFragment;
  /** A boolean expression: true when the cart row is no longer the version read, so that the statement must abort. */
  changed: SqlFragment;
}

/**
 * Pieces of checkout's write statement: the cart row locked first (before any product: every checkout locks in that
 * order), then the cart emptied and its row written (`updated_at`), which is what tells a concurrent checkout or cart
 * change of the same buyer that the cart changed. `version` is what {@link cartCheckoutReadSql} read; `changed` compares
 * it with the locked row: the statement must abort when it is true, so that nothing is written.
 */
export function cartCheckoutWriteSql(cartId: string, version: string | null, now: Date): CartCheckoutWriteSql {
  return {
    lock: { text: 'cart_locked as (select xmin::text as version from cart where id = ?::uuid for update)', params: [cartId] },
    empty: {
      text: `cart_emptied as (
         delete from cart_line where cart_id = ?::uuid
       ), cart_written as (
         update cart set updated_at = ?::timestamptz where id = ?::uuid
       )`,
      params: [cartId, now, cartId],
    },
    changed: { text: '(select version from cart_locked) is distinct from ?::text', params: [version] },
  };
}

/** Deletes the buyer's cart and its lines, in the caller's transaction (a deleted account keeps no cart). */
export async function deleteCartOf(em: EntityManager, buyerId: string): Promise<void> {
  await runSql(em, 'delete from cart_line where cart_id in (select id from cart where buyer_id = ?)', [buyerId]);
  await runSql(em, 'delete from cart where buyer_id = ?', [buyerId]);
}
