import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { runSql } from '../../shared/sql';
import { PaymentStatus } from '../payments';
import { OrderStatus } from './order-status';

/** A committed change of an order: a new order, or a change of its status, its payment's or its shipments. */
export interface OrderUpdatedEvent {
  orderId: string;
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  /** The shops whose products the order holds (ShopOrderUpdates fans out by them). */
  shopIds: string[];
  /** The shops that have shipped their part, so far. */
  shippedShopIds: string[];
}

/** The PostgreSQL channel notified by a status change, in its transaction: delivered only on commit. */
export const ORDER_NOTIFY_CHANNEL = 'atelier_order_updated';

/** The pub/sub topic that the notification relay republishes those notifications on. */
export const ORDER_TOPIC = 'order-updated';

/** An {@link OrderUpdatedEvent} as it travels (the notification's JSON, then the pub/sub message). */
const orderUpdatedEventSchema: z.ZodType<OrderUpdatedEvent> = z.object({
  orderId: z.string(),
  status: z.enum(OrderStatus),
  paymentStatus: z.enum(PaymentStatus),
  shopIds: z.array(z.string()),
  shippedShopIds: z.array(z.string()),
});

/** The event in a pub/sub message, or null when the message is not one (never trust the wire). */
export function parseOrderUpdatedEvent(value: unknown): OrderUpdatedEvent | null {
  return orderUpdatedEventSchema.safeParse(value).data ?? null;
}

/**
 * The columns of an {@link OrderUpdatedEvent} for the order `o` joined with its payment `p`, as the
 * notification and the hubs' checks against the database read them.
 */
export const ORDER_EVENT_COLUMNS = `o.id as "orderId", o.status, p.status as "paymentStatus",
  (select coalesce(json_agg(distinct l.shop_id), '[]'::json) from order_line l where l.order_id = o.id) as "shopIds",
  (select coalesce(json_agg(s.shop_id), '[]'::json) from shipment s where s.order_id = o.id) as "shippedShopIds"`;

/** The event of an order checkout has just made (its statement writes it, so it cannot read it back). */
export function newOrderEvent(orderId: string, shopIds: string[]): OrderUpdatedEvent {
  return { orderId, status: OrderStatus.PENDING_PAYMENT, paymentStatus: PaymentStatus.REQUIRES_PAYMENT, shopIds: [...new Set(shopIds)].sort(), shippedShopIds: [] };
}

/**
 * Queues the notification of a new order, or of a change of the order, its payment or its shipments, in the
 * caller's transaction, with everything as it is now in it (read after the caller's updates, so callers never
 * have to pass it). An order holds at most 50 lines: the payload stays far below NOTIFY's 8,000 bytes.
 */
export async function notifyOrderUpdated(em: EntityManager, orderId: string): Promise<void> {
  await runSql(
    em,
    `select pg_notify(?, row_to_json(e)::text)
       from (select ${ORDER_EVENT_COLUMNS} from customer_order o join payment p on p.order_id = o.id where o.id = ?) e`,
    [ORDER_NOTIFY_CHANNEL, orderId],
  );
}

/** The events of `orderIds` as they stand now: what the hubs compare with what their watchers saw. */
export function readOrderEvents(em: EntityManager, orderIds: string[]): Promise<OrderUpdatedEvent[]> {
  return runSql<OrderUpdatedEvent>(
    em,
    `select ${ORDER_EVENT_COLUMNS} from customer_order o join payment p on p.order_id = o.id where o.id = any(?::uuid[])`,
    [orderIds],
  );
}
