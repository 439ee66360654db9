import type { RequestContext } from '../request-context';
import { ForbiddenError, NotFoundError } from '../../shared/errors';
import { authorizeEachEvent } from '../../shared/event-authorization';
import { AsyncQueue } from '../../shared/async-queue';
import { requireViewer } from '../accounts/accounts.errors';
import { canSeeShopOrders } from './shop-order-access';
import type { ShopOrderEvent } from './shop-order-updates.hub';
import type { ShopOrder } from './shop-order.types';

/**
 * The ShopOrderUpdates subscription: the caller's shop's live order feed. Admitted for the shop's artisan; the same
 * rule (`canSeeShopOrders`) is evaluated again before every event, so that a demoted or banned artisan's feed ends.
 */
export const shopOrderUpdatesService = {
  async subscribe(ctx: RequestContext): Promise<AsyncIterable<ShopOrderEvent>> {
    const viewer = requireViewer(ctx);
    const shop = await ctx.loaders.shopByOwner.load(viewer.userId);
    if (!shop) throw new NotFoundError('Shop');
    const mayWatch = (current: RequestContext) => {
      if (!canSeeShopOrders(current.viewer, shop)) throw new ForbiddenError("Only the shop's artisan may watch its orders");
    };
    mayWatch(ctx);
    authorizeEachEvent(ctx, mayWatch);
    const queue: AsyncQueue<ShopOrderEvent> = new AsyncQueue({ maxBuffered: 100, onClose: () => stop() });
    const stop = ctx.live.shopOrders.watch(shop.id, (event) => queue.push(event));
    return queue;
  },

  /** The shop's part of the order as one event shows it: with the status that the event carries. */
  nodeOf(event: ShopOrderEvent): ShopOrder {
    return { id: event.orderId, shopId: event.shopId, eventStatus: event.status };
  },
};
