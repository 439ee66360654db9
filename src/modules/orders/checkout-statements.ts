import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql, type SqlFragment } from '../../shared/sql';
import { cartCheckoutReadSql, type CartCheckoutWriteSql } from '../cart';
import { StockReason, takeStockSql } from '../inventory';
import type { CheckoutLine } from './checkout-request';
import { newOrderEvent, ORDER_NOTIFY_CHANNEL } from './order-events';
import type { OrderLine } from './order-line.entity';
import { AWAITING_PAYMENT } from './order-status';
import { expireOrderJob } from './order-job-names';
import type { Order } from './order.entity';

// The two statements of a checkout (see checkout.service.ts): the read, one snapshot with no lock, and the write, one
// statement that is its own transaction and aborts itself when the cart changed in between or stock is short.

export interface PricedLine extends CheckoutLine {
  priceAmount: number;
  currency: string;
  shopId: string;
  archived: boolean;
}

/** What checkout is made with; `paymentService` is called at call time (it may be made after this one). */
/** Why {@link writeOrder}'s statement aborted itself (`atelier_abort`, SQLSTATE AT001), or null for any other error. */
export function checkoutAbortOf(error: unknown): { reason: 'OUT_OF_STOCK' | 'CART_CHANGED'; detail: string } | null {
  const { code, detail } = (error ?? {}) as { code?: unknown; detail?: unknown };
  if (code !== ABORT_SQLSTATE || typeof detail !== 'string') return null;
  const [reason, ...rest] = detail.split(':');
  return reason === 'OUT_OF_STOCK' || reason === 'CART_CHANGED' ? { reason, detail: rest.join(':') } : null;
}

/** SQLSTATE of `atelier_abort` (migration checkout_abort). */
const ABORT_SQLSTATE = 'AT001';

/** What checkout's read tells it: one statement, one snapshot, no lock. */
export interface CheckoutRead {
  /** The cart row's version (the `xmin` of its tuple, the transaction that last wrote it); null when there is none. */
  cartVersion: string | null;
  /** The cart's lines with their products' prices now, in product id order. */
  lines: PricedLine[];
  /** The order already made with this idempotency key, or null. */
  existingOrderId: string | null;
  /** Orders of the buyer awaiting payment. */
  unpaidOrders: number;
  /** Units of each of the cart's products in those orders (products with none are absent). */
  heldUnits: Record<string, number>;
}

interface CheckoutReadRow {
  cart_version: string | null;
  lines: PricedLine[];
  existing_order_id: string | null;
  unpaid_orders: number;
  held_units: Record<string, number>;
}

/**
 * Reads, in one statement (one snapshot), the version of the buyer's cart row, the priced cart, the order of this
 * idempotency key and the buyer's unpaid orders. Nothing is locked: {@link writeOrder} writes only if the cart row is
 * still this version, which every cart change and every checkout would have changed.
 */
export async function readCheckout(em: EntityManager, who: { buyerId: string; cartId: string; key: string }): Promise<CheckoutRead> {
  const cart = cartCheckoutReadSql(who.cartId);
  const [row] = (await runSql<CheckoutReadRow>(
    em,
    `select ${cart.version.text} as cart_version,
            ${cart.pricedLines.text} as lines,
            (select id from customer_order where buyer_id = ? and idempotency_key = ?) as existing_order_id,
            (select count(*)::int from customer_order where buyer_id = ? and status = any(?::order_status[])) as unpaid_orders,
            coalesce((select json_object_agg(product_id, units) from (
                        select l.product_id, sum(l.quantity)::int as units from order_line l join customer_order o on o.id = l.order_id
                         where o.buyer_id = ? and o.status = any(?::order_status[])
                           and l.product_id in ${cart.productIds.text}
                         group by l.product_id) held), '{}') as held_units`,
    [
      ...cart.version.params, ...cart.pricedLines.params,
      who.buyerId, who.key, who.buyerId, AWAITING_PAYMENT, who.buyerId, AWAITING_PAYMENT,
      ...cart.productIds.params,
    ],
  )) as [CheckoutReadRow];
  return { cartVersion: row.cart_version, lines: row.lines, existingOrderId: row.existing_order_id, unpaidOrders: row.unpaid_orders, heldUnits: row.held_units };
}

/**
 * Writes a new order in one statement, which is its own transaction: the cart row locked and checked against the
 * version read, the order (its number from `order_number_seq`), its lines, its payment (the payments module's
 * `newOrderPayment`), the cart emptied and its row written (the cart module's `cartCheckoutWriteSql`: what tells a
 * concurrent checkout that the cart changed), the expiry job, the order's `pg_notify` to the
 * shops' live feeds (ShopOrderUpdates), and the stock of every line through the ledger (`takeStockSql`). The statement
 * aborts itself (`atelier_abort`), so that nothing at all is written, when the cart row is not the version read
 * (CART_CHANGED) or a line lacks stock (OUT_OF_STOCK, with every product short, in id order). The cart is locked before
 * any product, as a checkout always did. Data-modifying `WITH` queries always run to completion, and foreign keys are
 * checked at the end of the statement, so the lines may refer to the order inserted beside them.
 */
export async function writeOrder(em: EntityManager, order: Order, lines: OrderLine[], payment: SqlFragment, cart: CartCheckoutWriteSql): Promise<string> {
  const stock = takeStockSql(
    lines.map((line) => ({ productId: line.product.id, delta: -line.quantity })),
    { reason: StockReason.SALE, orderId: order.id },
    order.createdAt,
  );
  const expiry = expireOrderJob.scheduleSql({ orderId: order.id }, { runAt: order.reservedUntil });
  const event = newOrderEvent(order.id, lines.map((line) => line.shop.id));
  const [row] = (await runSql<{ number: string }>(
    em,
    `with ${cart.lock.text}, new_order as (
       insert into customer_order (id, number, buyer_id, status, currency, total_amount, shipping_address, idempotency_key, request_fingerprint,
                                   reserved_until, created_at, updated_at)
       select ?::uuid, 'AT-' || lpad(n::text, greatest(6, length(n::text)), '0'), ?::uuid, ?::order_status, ?::char(3), ?::int, ?::text, ?::text, ?::text,
              ?::timestamptz, ?::timestamptz, ?::timestamptz
         from (select nextval('order_number_seq') as n) sequence
       returning number
     ), new_lines as (
       insert into order_line (id, order_id, product_id, shop_id, quantity, unit_price_amount, currency)
       select id, ?::uuid, product_id, shop_id, quantity, unit_price_amount, ?::char(3)
         from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::int[], ?::int[]) as line(id, product_id, shop_id, quantity, unit_price_amount)
     ), new_payment as (
       ${payment.text}
     ), ${cart.empty.text}, expiry as (
       select ${expiry.text} as job
     ), order_notified as (
       select pg_notify(?, ?) as notified
     ), ${stock.ctes.text}
     select case
              when ${cart.changed.text} then atelier_abort('CART_CHANGED', null)
              when ${stock.refused} is not null then atelier_abort('OUT_OF_STOCK', ${stock.refused})
              else true
            end as written,
            (select number from new_order) as number,
            (select count(*) from expiry) as jobs,
            (select count(*) from order_notified) as notified_order,
            (select count(*) from (select ${stock.selectList.text} from stock_changed) notified) as notified_stock`,
    [
      ...cart.lock.params,
      order.id, order.buyer.id, order.status, order.currency, order.totalAmount, order.sealedShippingAddress, order.idempotencyKey, order.requestFingerprint,
      order.reservedUntil, order.createdAt, order.updatedAt,
      order.id, order.currency,
      lines.map((line) => line.id), lines.map((line) => line.product.id), lines.map((line) => line.shop.id), lines.map((line) => line.quantity), lines.map((line) => line.unitPriceAmount),
      ...payment.params,
      ...cart.empty.params,
      ...expiry.params,
      ORDER_NOTIFY_CHANNEL, JSON.stringify(event),
      ...stock.ctes.params,
      ...cart.changed.params,
      ...stock.selectList.params,
    ],
  )) as [{ number: string }];
  return row.number;
}
