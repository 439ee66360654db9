import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { Product } from '../catalog';
import type { LiveStockService } from './live-stock.service';
import { StockChange } from './stock-change.type';

@Resolver(() => StockChange)
export class StockChangeFieldsResolver {
  constructor(private readonly services: { liveStockService: LiveStockService }) {}

  @FieldResolver(() => Product, {
    description:
      "The product as a query returns it, with this change's `available` and `stockVersion`: a normalised client cache " +
      '(Apollo, Relay) updates its copy from the event. Read once per event for all its subscribers; products are never deleted.',
  })
  product(@Root() change: StockChange, @Ctx() ctx: RequestContext): Promise<Product> {
    return this.services.liveStockService.productAt(ctx, change.event);
  }
}
