import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql } from '../../shared/sql';
import { PaymentStatus } from '../payments/payment.entity';
import { OrderStatus } from './order-status';

/** A committed change of an order's status or of its payment's. */
export interface OrderUpdatedEvent {
  orderId: string;
  status: OrderStatus;
  paymentStatus: PaymentStatus;
}

/** The PostgreSQL channel notified by a status change, in its transaction: delivered only on commit. */
export const ORDER_NOTIFY_CHANNEL = 'atelier_order_updated';

/** The pub/sub topic that the notification relay republishes those notifications on. */
export const ORDER_TOPIC = 'order-updated';

const STATUSES = new Set<string>(Object.values(OrderStatus));
const PAYMENT_STATUSES = new Set<string>(Object.values(PaymentStatus));

/** The event in a pub/sub message, or null when the message is not one. */
export function parseOrderUpdatedEvent(value: unknown): OrderUpdatedEvent | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const valid =
    typeof v.orderId === 'string' &&
    typeof v.status === 'string' && STATUSES.has(v.status) &&
    typeof v.paymentStatus === 'string' && PAYMENT_STATUSES.has(v.paymentStatus);
  return valid ? (v as unknown as OrderUpdatedEvent) : null;
}

/**
 * Queues the notification of a change of the order or its payment in the caller's transaction, with both
 * statuses as they are now in it (read after the caller's updates, so callers never have to pass them).
 */
export async function notifyOrderUpdated(em: EntityManager, orderId: string): Promise<void> {
  await runSql(
    em,
    `select pg_notify(?, json_build_object('orderId', o.id, 'status', o.status, 'paymentStatus', p.status)::text)
       from customer_order o join payment p on p.order_id = o.id
      where o.id = ?`,
    [ORDER_NOTIFY_CHANNEL, orderId],
  );
}
