import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql } from '../../shared/sql';
import { applyStockChanges } from '../inventory/stock-ledger';
import { StockReason } from '../inventory/stock-reason';
import { PaymentStatus } from '../payments/payment.entity';
import { notifyOrderUpdated } from './order-events';
import { OrderStatus } from './order-status';

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

/**
 * Ends an order that awaits payment and gives its stock back, in the caller's transaction; true if it did.
 *
 * Exactly once, however many jobs, workers or cancellations race: the status moves with a conditional
 * update (`status = 'PENDING_PAYMENT'`), which PostgreSQL re-checks after waiting for any concurrent one,
 * so only the first transaction gets the row back, and only it returns the stock. An expiry also requires
 * `reserved_until <= now`, so that it never ends a reservation early.
 */
export async function releaseOrder(em: EntityManager, request: ReleaseRequest): Promise<boolean> {
  const due = request.to === OrderStatus.EXPIRED ? 'and reserved_until <= ?' : '';
  const [order] = await runSql<{ id: string }>(
    em,
    `update customer_order set status = ?, updated_at = ?
      where id = ? and status = ? ${due}
     returning id`,
    [request.to, request.now, request.orderId, OrderStatus.PENDING_PAYMENT, ...(due ? [request.now] : [])],
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
  await runSql(em, 'update payment set status = ?, updated_at = ? where order_id = ? and status = ?', [
    PaymentStatus.CANCELLED, request.now, request.orderId, PaymentStatus.REQUIRES_PAYMENT,
  ]);
  await notifyOrderUpdated(em, { orderId: request.orderId, status: request.to });
  return true;
}
