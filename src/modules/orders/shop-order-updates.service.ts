import type { ServiceScope } from '../service-scope';
import { ForbiddenError, NotFoundError } from '../../shared/errors';
import { authorizeEachEvent } from '../../shared/event-authorization';
import { AsyncQueue } from '../../shared/async-queue';
import { requireViewer } from '../accounts';
import { canSeeShopOrders } from './shop-order-access';
import type { createShopOrderUpdatesHub, ShopOrderEvent } from './shop-order-updates.hub';
import type { ShopOrder } from './shop-order.types';

/** What the ShopOrderUpdates service is made with: this instance's live hub of the shops' orders. */
export interface ShopOrderUpdatesServiceDeps {
  live: { shopOrders: Pick<ReturnType<typeof createShopOrderUpdatesHub>, 'watch'> };
}

/**
 * The ShopOrderUpdates subscription: the caller's shop's live order feed. Admitted for the shop's artisan; the same
 * rule (`canSeeShopOrders`) is evaluated again before every event, so that a demoted or banned artisan's feed ends.
 */
export function createShopOrderUpdatesService(deps: ShopOrderUpdatesServiceDeps) {
  return {
    async subscribe(ctx: ServiceScope): Promise<AsyncIterable<ShopOrderEvent>> {
      const viewer = requireViewer(ctx);
      const shop = await ctx.loaders.shopByOwner.load(viewer.userId);
      if (!shop) throw new NotFoundError('Shop');
      const mayWatch = (current: ServiceScope) => {
        if (!canSeeShopOrders(current.viewer, shop)) throw new ForbiddenError("Only the shop's artisan may watch its orders");
      };
      mayWatch(ctx);
      authorizeEachEvent(ctx, mayWatch);
      const queue: AsyncQueue<ShopOrderEvent> = new AsyncQueue({ maxBuffered: 100, onClose: () => stop() });
      const stop = deps.live.shopOrders.watch(shop.id, (event) => queue.push(event));
      return queue;
    },
  };
}

export type ShopOrderUpdatesService = ReturnType<typeof createShopOrderUpdatesService>;

/** The shop's part of the order as one event shows it: with the status that the event carries. */
export function shopOrderOf(event: ShopOrderEvent): ShopOrder {
  return { id: event.orderId, shopId: event.shopId, eventStatus: event.status };
}
