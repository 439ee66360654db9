import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../request-context';
import type { OrderUpdatedEvent } from './order-events';
import type { OrderUpdatesService } from './order-updates.service';
import { Order } from './order.entity';

@Resolver()
export class OrderUpdatesResolver {
  constructor(private readonly services: { orderUpdatesService: OrderUpdatesService }) {}

  @Subscription(() => Order, {
    description:
      'The order as it is now, then again at each change of its status or its payment\'s: PENDING_PAYMENT -> PAID -> FULFILLED, or CANCELLED / EXPIRED / PAYMENT_FAILED. ' +
      'Only its buyer, ADMIN and SUPPORT may watch an order; anyone else gets NOT_FOUND.',
    // Called with this resolver as `this` (see `buildAppSchema`).
    subscribe(this: OrderUpdatesResolver, { args, context }) {
      return this.services.orderUpdatesService.subscribe(context as RequestContext, String(args.orderId));
    },
  })
  async orderUpdated(
    @Root() event: OrderUpdatedEvent,
    @Arg('orderId', () => ID,
    { description: 'The order to watch: your own (any order for ADMIN and SUPPORT).' }) _orderId: string, @Ctx() ctx: RequestContext,
  ): Promise<Order> {
    return this.services.orderUpdatesService.orderAt(ctx, event);
  }
}
