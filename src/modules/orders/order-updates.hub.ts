import type { MikroORM } from '@mikro-orm/postgresql';
import { createStateHub } from '../../infra/live-hub';
import type { Logger } from '../../infra/logger';
import type { PubSub } from '../../infra/pubsub';
import { ORDER_TOPIC, parseOrderUpdatedEvent, readOrderEvents, type OrderUpdatedEvent } from './order-events';

export interface OrderUpdatesHubOptions {
  orm: MikroORM;
  pubsub: PubSub;
  logger: Logger;
  /** Period of the check against PostgreSQL that recovers lost notifications, in milliseconds. */
  reconcileMs: number;
  /** Called with the number of subscribers each event was handed to (metrics). Default none. */
  onDelivered?: (subscribers: number) => void;
}

/**
 * Order, payment and shipment changes of one instance, for OrderUpdates: each state of a watched order (both
 * statuses, the number of shipments) once. The periodic check reads the watched orders back, so that a lost
 * notification still arrives.
 */
export function createOrderUpdatesHub(options: OrderUpdatesHubOptions) {
  return createStateHub<OrderUpdatedEvent>({
    ...options,
    name: 'order-updates',
    topic: ORDER_TOPIC,
    parse: parseOrderUpdatedEvent,
    keyOf: (event) => event.orderId,
    stateOf: (event) => `${event.status}/${event.paymentStatus}/${event.shippedShopIds.length}`,
    readCurrent: (orderIds) => readOrderEvents(options.orm.em.fork(), orderIds),
  });
}
