import { Args, Ctx, FieldResolver, ID, Query, Resolver, Root, Arg } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { ConnectionArgs, ConnectionType, pageRequest, type Connection } from '../../shared/pagination';
import { User } from '../accounts';
import type { StockHistoryService } from './stock-history.service';
import { StockMovement } from './stock-movement.entity';

export const StockMovementConnection = ConnectionType(StockMovement);

@Resolver(() => StockMovement)
export class StockHistoryResolver {
  constructor(private readonly services: { stockHistoryService: StockHistoryService }) {}

  @Query(() => StockMovementConnection, {
    description:
      "The product's stock ledger, newest first: every change of its available stock. Its shop's artisan, ADMIN and SUPPORT only " +
      '(anyone else: NOT_FOUND).',
  })
  stockMovements(
    @Arg('productId', () => ID,
    { description: 'A product of your shop (any product for ADMIN and SUPPORT).' }) productId: string, @Args() page: ConnectionArgs, @Ctx() ctx: RequestContext,
  ): Promise<Connection<StockMovement>> {
    return this.services.stockHistoryService.list(ctx, productId, pageRequest(page));
  }

  @FieldResolver(() => String, { nullable: true, description: 'The order behind a SALE, RESERVATION_RELEASED or CANCELLATION; null otherwise.' })
  async orderNumber(@Root() movement: StockMovement, @Ctx() ctx: RequestContext): Promise<string | null> {
    if (!movement.order) return null;
    return (await ctx.loaders.orderById.load(movement.order.id))?.number ?? null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who adjusted the stock by hand (RESTOCK, ADJUSTMENT); null for changes made by orders.' })
  actor(@Root() movement: StockMovement, @Ctx() ctx: RequestContext): Promise<User | null> {
    return movement.actor ? ctx.loaders.userById.load(movement.actor.id) : Promise.resolve(null);
  }
}
