import { Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../request-context';
import type { ShopOrderEvent } from './shop-order-updates.hub';
import { shopOrderOf, type ShopOrderUpdatesService } from './shop-order-updates.service';
import { ShopOrder } from './shop-order.types';

@Resolver()
export class ShopOrderUpdatesResolver {
  constructor(private readonly services: { shopOrderUpdatesService: ShopOrderUpdatesService }) {}

  @Subscription(() => ShopOrder, {
    description:
      "The caller's shop's live order feed (ARTISAN): every new order holding its products and every later change of the order's status " +
      '(PAID, CANCELLED, EXPIRED, FULFILLED) or of its own shipment, with this shop\'s part only. Ends with an error when the caller may ' +
      'no longer see the shop (demoted, banned, logged out).',
    // Called with this resolver as `this` (see `buildAppSchema`).
    subscribe(this: ShopOrderUpdatesResolver, { context }) {
      return this.services.shopOrderUpdatesService.subscribe(context as RequestContext);
    },
  })
  shopOrderUpdated(@Root() event: ShopOrderEvent): ShopOrder {
    return shopOrderOf(event);
  }
}
