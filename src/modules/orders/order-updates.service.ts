import type { ServiceScope } from '../service-scope';
import { ForbiddenError, NotFoundError } from '../../shared/errors';
import { authorizeEachEvent } from '../../shared/event-authorization';
import { AsyncQueue } from '../../shared/async-queue';
import { isId } from '../../shared/ids';
import { requireViewer } from '../accounts';
import { canReadOrder } from './order-access';
import { readOrderEvents, type OrderUpdatedEvent } from './order-events';
import type { createOrderUpdatesHub } from './order-updates.hub';
import { Order } from './order.entity';

/** What the OrderUpdates service is made with: this instance's live hub of orders. */
export interface OrderUpdatesServiceDeps {
  live: { orders: Pick<ReturnType<typeof createOrderUpdatesHub>, 'watch'> };
}

/** The OrderUpdates subscription: the order as it is, then each change from the instance's hub; access checked at subscribe and again before every event. */
export function createOrderUpdatesService(deps: OrderUpdatesServiceDeps) {
  return {
    async subscribe(ctx: ServiceScope, orderId: string): Promise<AsyncIterable<OrderUpdatedEvent>> {
      const viewer = requireViewer(ctx);
      const order = isId(orderId) ? await ctx.em.fork().findOne(Order, orderId) : null;
      if (!order || !canReadOrder(viewer, order)) throw new NotFoundError('Order');
      // The same rule before every event, against the viewer as it is then: a demoted operator stops reading.
      authorizeEachEvent(ctx, (current) => {
        if (!current.viewer || !canReadOrder(current.viewer, order)) throw new ForbiddenError('You may no longer watch this order');
      });
      const queue: AsyncQueue<OrderUpdatedEvent> = new AsyncQueue({ maxBuffered: 100, onClose: () => stop() });
      const [current] = await readOrderEvents(ctx.em.fork(), [order.id]);
      if (!current) throw new NotFoundError('Order');
      // The current state first: a change made between checkout and subscribing is not missed.
      queue.push(current);
      const stop = deps.live.orders.watch(current, (event) => queue.push(event));
      return queue;
    },

    /** The order as one event shows it: read afresh, with the status that the event carries. */
    async orderAt(ctx: ServiceScope, event: OrderUpdatedEvent): Promise<Order> {
      const order = await ctx.em.findOneOrFail(Order, event.orderId);
      // Never flushed (a throwaway fork per event): the event's status, not a later one read meanwhile.
      order.status = event.status;
      return order;
    },
  };
}

export type OrderUpdatesService = ReturnType<typeof createOrderUpdatesService>;
