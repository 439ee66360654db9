import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceScope } from '../service-scope';
import { ConflictError, NotFoundError } from '../../shared/errors';
import { isId, newId } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import { EmailKind, queueBuyerEmail } from '../notifications';
import type { FulfilmentPayload, ShipmentInput } from './fulfilment.inputs';
import { notifyOrderUpdated } from './order-events';
import { OrderStatus } from './order-status';
import { Order } from './order.entity';
import { Shipment } from './shipment.entity';
import { requireViewer } from '../accounts';

/**
 * Fulfilment: each shop ships its own lines of a PAID order; the last shop's shipment makes the order FULFILLED,
 * in the same transaction.
 *
 * Every fulfilment and every cancellation of an order locks the order's row first, in a statement of its own, and
 * reads shipments only afterwards (READ COMMITTED gives each later statement a fresh snapshot): so they run one
 * at a time per order and each sees what the one before it committed. Two shops shipping at once both ship and the
 * second makes the order FULFILLED; a cancellation racing a shipment either cancels first (the shipment then finds
 * the order CANCELLED: CONFLICT) or comes second and is refused because something shipped.
 */
export const fulfilmentService = {
  /**
   * Records the caller's shop's shipment of `orderId`. Idempotent: the same carrier and tracking number again
   * answer the shipment recorded first (whatever the order's status since); other ones fail with CONFLICT.
   * An order that does not hold the shop's products (or does not exist): NOT_FOUND. Not PAID: CONFLICT.
   */
  async fulfil(ctx: ServiceScope, orderId: string, input: ShipmentInput): Promise<FulfilmentPayload> {
    const viewer = requireViewer(ctx);
    const shop = await ctx.loaders.shopByOwner.load(viewer.userId);
    if (!shop || !isId(orderId)) throw new NotFoundError('Order');
    const carrier = input.carrier.trim();
    const trackingNumber = input.trackingNumber.trim();
    const now = ctx.clock.now();

    const shipmentId = await ctx.em.fork().transactional(async (em: EntityManager) => {
      const [order] = await runSql<{ number: string; status: OrderStatus }>(em, 'select number, status from customer_order where id = ? for update', [orderId]);
      const [holds] = order ? await runSql(em, 'select 1 from order_line where order_id = ? and shop_id = ? limit 1', [orderId, shop.id]) : [];
      if (!order || !holds) throw new NotFoundError('Order');

      const [existing] = await runSql<{ id: string; carrier: string; tracking_number: string }>(
        em,
        'select id, carrier, tracking_number from shipment where order_id = ? and shop_id = ?',
        [orderId, shop.id],
      );
      if (existing) {
        if (existing.carrier === carrier && existing.tracking_number === trackingNumber) return existing.id;
        throw new ConflictError(`Your part of order ${order.number} was already shipped with another carrier or tracking number`);
      }
      if (order.status !== OrderStatus.PAID) throw new ConflictError(notShippable(order.number, order.status));

      const [shipment] = await runSql<{ id: string }>(
        em,
        `insert into shipment (id, order_id, shop_id, carrier, tracking_number, shipped_at, shipped_by_id)
         values (?, ?, ?, ?, ?, ?, ?) returning id`,
        [newId(), orderId, shop.id, carrier, trackingNumber, now, viewer.userId],
      );
      // FULFILLED when no shop of the order is left without its shipment; either way the order's row changes,
      // so that OrderUpdates' check against the database and any reader ordering by updated_at see the shipment.
      await runSql(
        em,
        `update customer_order o
            set status = case when exists (
                  select 1 from order_line l
                   where l.order_id = o.id
                     and not exists (select 1 from shipment s where s.order_id = l.order_id and s.shop_id = l.shop_id)
                ) then o.status else ?::order_status end,
                updated_at = ?
          where o.id = ?`,
        [OrderStatus.FULFILLED, now, orderId],
      );
      await queueBuyerEmail(em, orderId, EmailKind.ORDER_SHIPPED, shipment!.id);
      await notifyOrderUpdated(em, orderId);
      return shipment!.id;
    });

    const em = ctx.em.fork();
    const [order, shipment] = await Promise.all([em.findOneOrFail(Order, orderId), em.findOneOrFail(Shipment, shipmentId)]);
    return { order, shipment };
  },
};

export type FulfilmentService = typeof fulfilmentService;

function notShippable(number: string, status: OrderStatus): string {
  switch (status) {
    case OrderStatus.PENDING_PAYMENT:
    case OrderStatus.PAYMENT_FAILED:
      return `Order ${number} is not paid yet: ship it once it is PAID`;
    case OrderStatus.CANCELLED:
      return `Order ${number} was cancelled: do not ship it`;
    case OrderStatus.EXPIRED:
      return `Order ${number} expired unpaid: do not ship it`;
    case OrderStatus.FULFILLED:
    case OrderStatus.PAID:
      throw new Error(`order ${number} is ${status}: every shop of a fulfilled order has its shipment`);
    default: {
      const unreachable: never = status;
      throw new Error(`unknown order status ${String(unreachable)}`);
    }
  }
}
