import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../request-context';
import type { LiveStockArgs, LiveStockService } from './live-stock.service';
import type { StockChangedEvent } from './stock-events';
import { StockChange } from './stock-change.type';

@Resolver()
export class LiveStockResolver {
  constructor(private readonly services: { liveStockService: LiveStockService }) {}

  @Subscription(() => StockChange, {
    description:
      'Every committed change of available stock, for the products named (at most 100) or for every product of the shop: ' +
      'give one of productIds and shopId. Versions grow by one per product, so a gap tells the dashboard to refetch.',
    // Called with this resolver as `this` (see `buildAppSchema`).
    subscribe(this: LiveStockResolver, { args, context }) {
      return this.services.liveStockService.subscribe(context as RequestContext, args as LiveStockArgs);
    },
  })
  stockChanged(
    @Root() event: StockChangedEvent,
    @Arg('productIds', () => [ID], { nullable: true, description: 'The products to watch (at most 100). Give this or `shopId`.' }) _productIds: string[] | null,
    @Arg('shopId', () => ID, { nullable: true, description: "Watch every product of this shop, including those added later. Give this or `productIds`." }) _shopId: string | null,
  ): StockChange {
    return { productId: event.productId, available: event.available, delta: event.delta, reason: event.reason, version: event.version, at: new Date(event.at), event };
  }
}
