import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql } from '../../shared/sql';
import { OrderStatus } from './order-status';

/** A committed change of an order's status. */
export interface OrderUpdatedEvent {
  orderId: string;
  status: OrderStatus;
}

/** The PostgreSQL channel notified by a status change, in its transaction: delivered only on commit. */
export const ORDER_NOTIFY_CHANNEL = 'atelier_order_updated';

/** The pub/sub topic that the notification relay republishes those notifications on. */
export const ORDER_TOPIC = 'order-updated';

const STATUSES = new Set<string>(Object.values(OrderStatus));

/** The event in a pub/sub message, or null when the message is not one. */
export function parseOrderUpdatedEvent(value: unknown): OrderUpdatedEvent | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  return typeof v.orderId === 'string' && typeof v.status === 'string' && STATUSES.has(v.status) ? (v as unknown as OrderUpdatedEvent) : null;
}

/** Queues the notification of a status change in the caller's transaction. */
export async function notifyOrderUpdated(em: EntityManager, event: OrderUpdatedEvent): Promise<void> {
  await runSql(em, 'select pg_notify(?, ?)', [ORDER_NOTIFY_CHANNEL, JSON.stringify({ orderId: event.orderId, status: event.status })]);
}
