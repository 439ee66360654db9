import type { RequestContext } from '../../graphql/context';
import { ConflictError, ForbiddenError, NotFoundError } from '../../graphql/errors';
import { isId } from '../../shared/ids';
import { toConnection, type Connection, type PageRequest } from '../../shared/pagination';
import type { Viewer } from '../accounts/viewer';
import { canCancelOrder, canReadOrder } from './order-access';
import { releaseOrder } from './order-release';
import { OrderStatus } from './order-status';
import { Order } from './order.entity';

/** Reading and cancelling orders. Checkout is `checkout.service.ts`; expiry is `order.jobs.ts`. */
export const orderService = {
  /** The order if the caller may read it (buyer, ADMIN, SUPPORT); NOT_FOUND for anyone else, as for no order. */
  async findVisible(ctx: RequestContext, orderId: string): Promise<Order> {
    const viewer = viewerOf(ctx);
    const order = isId(orderId) ? await ctx.em.findOne(Order, orderId) : null;
    if (!order || !canReadOrder(viewer, order)) throw new NotFoundError('Order');
    return order;
  },

  /** The caller's orders, newest first (keyset on the UUIDv7 id). */
  async listMine(ctx: RequestContext, page: PageRequest): Promise<Connection<Order>> {
    const buyer = viewerOf(ctx).userId;
    const where = page.afterId ? { buyer, id: { $lt: page.afterId } } : { buyer };
    const rows = page.first === 0 ? [] : await ctx.em.find(Order, where, { orderBy: { id: 'desc' }, limit: page.first + 1 });
    return toConnection({ rows, first: page.first, count: () => ctx.em.count(Order, { buyer }) });
  },

  /**
   * Cancels an order that awaits payment and returns its stock (CANCELLATION), once. Cancelling a cancelled
   * order again answers it as it is. A paid order would need a refund, which payments do not offer yet: CONFLICT.
   */
  async cancel(ctx: RequestContext, orderId: string): Promise<Order> {
    const viewer = viewerOf(ctx);
    const order = await orderService.findVisible(ctx, orderId);
    if (!canCancelOrder(viewer, order)) throw new ForbiddenError('Support may read orders but not cancel them');
    if (order.status === OrderStatus.PENDING_PAYMENT) {
      await ctx.em.transactional((em) => releaseOrder(em, { orderId: order.id, to: OrderStatus.CANCELLED, now: ctx.clock.now() }));
      // Stock came back: this instance's cached catalogue answers are stale (others: followStockChanges).
      ctx.catalogVersion.bump();
      await ctx.em.refresh(order);
    }
    if (order.status === OrderStatus.CANCELLED) return order;
    throw new ConflictError(cancelRefusal(order));
  },
};

function viewerOf(ctx: RequestContext): Viewer {
  // The shield lets only authenticated callers here.
  if (!ctx.viewer) throw new Error('orders reached without a viewer');
  return ctx.viewer;
}

function cancelRefusal(order: Order): string {
  switch (order.status) {
    case OrderStatus.PAID:
      return `Order ${order.number} is paid: cancelling it needs a refund, which is not available yet`;
    case OrderStatus.FULFILLED:
      return `Order ${order.number} was fulfilled and can no longer be cancelled`;
    case OrderStatus.EXPIRED:
      return `Order ${order.number} expired: its reservation ran out and its stock was already returned`;
    case OrderStatus.PAYMENT_FAILED:
      return `Order ${order.number} failed payment and can no longer be cancelled`;
    case OrderStatus.PENDING_PAYMENT:
    case OrderStatus.CANCELLED:
      throw new Error(`unexpected status ${order.status} of order ${order.id}`);
    default: {
      const unreachable: never = order.status;
      throw new Error(`unknown order status ${String(unreachable)}`);
    }
  }
}
