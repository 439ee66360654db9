import type { ServiceScope } from '../service-scope';
import { ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors';
import { isId } from '../../shared/ids';
import { keysetPage } from '../../shared/keyset-page';
import type { Connection, PageRequest } from '../../shared/pagination';
import { requireViewer } from '../accounts';
import { catalogChanged, type CatalogVersion } from '../catalog';
import { canCancelOrder, canReadOrder } from './order-access';
import { releaseOrder } from './order-release';
import type { PaymentService } from '../payments';
import { AWAITING_PAYMENT, isAwaitingPayment, OrderStatus } from './order-status';
import { Order } from './order.entity';

/** What the order service is made with; `paymentService` is called at call time (it may be made after this one). */
export interface OrderServiceDeps {
  /** This instance's catalogue version: a cancellation returns stock, so the next catalogue read misses its cache. */
  catalogVersion: CatalogVersion;
  paymentService: PaymentService;
}

/** Reading and cancelling orders. Checkout is `checkout.service.ts`; expiry is `order-expiry.service.ts`. */
export function createOrderService(deps: OrderServiceDeps) {
  const orderService = {
    /** The order if the caller may read it (buyer, ADMIN, SUPPORT); NOT_FOUND for anyone else, as for no order. */
    async findVisible(ctx: ServiceScope, orderId: string): Promise<Order> {
      const viewer = requireViewer(ctx);
      const order = isId(orderId) ? await ctx.em.findOne(Order, orderId) : null;
      if (!order || !canReadOrder(viewer, order)) throw new NotFoundError('Order');
      return order;
    },

    /** The caller's orders, newest first (keyset on the UUIDv7 id); only those in `status` when given. */
    async listMine(ctx: ServiceScope, page: PageRequest, status?: OrderStatus | null): Promise<Connection<Order>> {
      const buyer = requireViewer(ctx).userId;
      return keysetPage(ctx.em, Order, status ? { buyer, status } : { buyer }, page);
    },

    /**
     * Cancels an order that holds stock and returns the stock (CANCELLATION), once. A paid order is also
     * refunded: the refund is a job of the same transaction (durable), and is tried at once after the commit so
     * that the answer usually shows the payment REFUNDED already; if the provider is down, the job retries.
     * Cancelling a cancelled order again answers it as it is. An order that any shop has shipped (in part or whole):
     * CONFLICT.
     */
    async cancel(ctx: ServiceScope, orderId: string): Promise<Order> {
      const viewer = requireViewer(ctx);
      const order = await orderService.findVisible(ctx, orderId);
      if (!canCancelOrder(viewer, order)) throw new ForbiddenError('Support may read orders but not cancel them');
      if (CANCELLABLE.has(order.status)) {
        const wasPaid = order.status === OrderStatus.PAID;
        await ctx.em.transactional((em) => releaseOrder(em, { orderId: order.id, to: OrderStatus.CANCELLED, now: ctx.clock.now() }));
        // Stock came back: this instance's next catalogue read misses its cache.
        catalogChanged(ctx.em, deps.catalogVersion);
        if (wasPaid) await refundNow(deps.paymentService, ctx, order.id);
        await ctx.em.refresh(order);
      }
      if (order.status === OrderStatus.CANCELLED) return order;
      throw new ConflictError(cancelRefusal(order));
    },

    /**
     * The order with a payment its buyer can complete: creates the provider's intent if checkout could not (the
     * provider was down), else returns the one it has. Safe to call any number of times. A paid order is
     * returned as it is; an order that ended cannot be paid (CONFLICT).
     */
    async startPayment(ctx: ServiceScope, orderId: string): Promise<Order> {
      const viewer = requireViewer(ctx);
      const order = await orderService.findVisible(ctx, orderId);
      if (order.buyer.id !== viewer.userId) throw new ForbiddenError('Only the buyer may pay an order');
      if (order.status === OrderStatus.PAID || order.status === OrderStatus.FULFILLED) return order;
      if (!isAwaitingPayment(order.status)) {
        throw new ConflictError(`Order ${order.number} is ${order.status} and can no longer be paid`);
      }
      await deps.paymentService.ensureIntent(ctx, order.id);
      return order;
    },
  };
  return orderService;
}

export type OrderService = ReturnType<typeof createOrderService>;

/** Orders that still hold their stock. */
const CANCELLABLE = new Set<OrderStatus>([...AWAITING_PAYMENT, OrderStatus.PAID]);

/** The refund of a cancelled paid order, tried now; on failure its job (added with the cancellation) retries. */
async function refundNow(paymentService: PaymentService, ctx: ServiceScope, orderId: string): Promise<void> {
  try {
    await paymentService.refund(ctx, orderId);
  } catch (error) {
    ctx.logger.warn({ err: error, orderId }, 'refund not possible now: the refund_payment job will retry it');
  }
}

function cancelRefusal(order: Order): string {
  switch (order.status) {
    case OrderStatus.FULFILLED:
      return `Order ${order.number} was fulfilled and can no longer be cancelled`;
    case OrderStatus.EXPIRED:
      return `Order ${order.number} expired: its reservation ran out and its stock was already returned`;
    case OrderStatus.PAID:
      // Still PAID after a cancellation that did nothing: a shop has shipped its part (see releaseOrder).
      return `Order ${order.number} has been shipped in part and can no longer be cancelled`;
    case OrderStatus.PAYMENT_FAILED:
    case OrderStatus.PENDING_PAYMENT:
    case OrderStatus.CANCELLED:
      throw new Error(`unexpected status ${order.status} of order ${order.id}`);
    default: {
      const unreachable: never = order.status;
      throw new Error(`unknown order status ${String(unreachable)}`);
    }
  }
}
