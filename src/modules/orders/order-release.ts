import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql } from '../../shared/sql';
import { applyStockChanges, StockReason } from '../inventory';
import { EmailKind, queueBuyerEmail } from '../notifications';
import { endPaymentOfOrder } from '../payments';
import { notifyOrderUpdated } from './order-events';
import { AWAITING_PAYMENT, OrderStatus } from './order-status';

export interface ReleaseRequest {
  orderId: string;
  /** CANCELLED (CancelOrder) or EXPIRED (the reservation ran out). */
  to: OrderStatus.CANCELLED | OrderStatus.EXPIRED;
  now: Date;
}

const REASON = {
  [OrderStatus.CANCELLED]: StockReason.CANCELLATION,
  [OrderStatus.EXPIRED]: StockReason.RESERVATION_RELEASED,
} as const;

/** Orders whose stock is still theirs: awaiting payment (a failed payment may be tried again) or paid. */
const RELEASABLE = {
  [OrderStatus.EXPIRED]: AWAITING_PAYMENT,
  [OrderStatus.CANCELLED]: [...AWAITING_PAYMENT, OrderStatus.PAID],
};

/**
 * Ends an order that holds stock and gives the stock back, in the caller's transaction; true if it did. An order
 * of which any shop has shipped is never ended. A cancellation also queues the buyer's ORDER_CANCELLED email.
 * The payments module ends the payment in the same transaction (`endPaymentOfOrder`): an order awaiting payment ends
 * with its payment CANCELLED (and the provider's intent cancelled from the queue, so that nobody pays it later); a
 * PAID order (cancelled only) keeps its payment SUCCEEDED with a refund due, which the queue's `refund_payment` job
 * carries out.
 *
 * Exactly once, however many jobs, workers or cancellations race: the status moves with a conditional
 * update on the row locked first, which PostgreSQL re-checks after waiting for any concurrent one, so only
 * the first transaction gets the row back, and only it returns the stock. An expiry also requires
 * `reserved_until <= now`, so that it never ends a reservation early.
 */
export async function releaseOrder(em: EntityManager, request: ReleaseRequest): Promise<boolean> {
  const cancelling = request.to === OrderStatus.CANCELLED;
  // A cancellation locks the order in a statement of its own first, so that the update below, with a snapshot
  // taken after the lock, sees every shipment committed meanwhile (see fulfilment.service.ts).
  if (cancelling) await runSql(em, 'select id from customer_order where id = ? for update', [request.orderId]);
  const due = request.to === OrderStatus.EXPIRED ? 'and o.reserved_until <= ?' : '';
  const [order] = await runSql<{ previous: OrderStatus }>(
    em,
    `with old as (select id, status from customer_order where id = ? for update)
     update customer_order o set status = ?, updated_at = ?
       from old
      where o.id = old.id and old.status = any(?::order_status[]) ${due}
        and not exists (select 1 from shipment s where s.order_id = o.id)
     returning old.status as previous`,
    [request.orderId, request.to, request.now, RELEASABLE[request.to], ...(due ? [request.now] : [])],
  );
  if (!order) return false;

  const lines = await runSql<{ product_id: string; quantity: number }>(em, 'select product_id, quantity from order_line where order_id = ?', [request.orderId]);
  const outcome = await applyStockChanges(
    em,
    lines.map((line) => ({ productId: line.product_id, delta: line.quantity, reason: REASON[request.to], orderId: request.orderId })),
    request.now,
  );
  // Giving stock back has no lower bound to hit: a refusal here is a bug, and rolls everything back.
  if (outcome.refusedProductId) throw new Error(`could not return stock of product ${outcome.refusedProductId}`);

  await endPaymentOfOrder(em, request.orderId, order.previous === OrderStatus.PAID, request.now);
  if (cancelling) await queueBuyerEmail(em, request.orderId, EmailKind.ORDER_CANCELLED);
  await notifyOrderUpdated(em, request.orderId);
  return true;
}
