import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { ConnectionArgs, pageRequest, type Connection } from '../../shared/pagination';
import { CheckoutInput } from './checkout.inputs';
import type { CheckoutService } from './checkout.service';
import { Order } from './order.entity';
import { OrderStatus } from './order-status';
import type { OrderService } from './order.service';
import { OrderConnection } from './order.types';

@Resolver()
export class OrderResolver {
  constructor(private readonly services: { checkoutService: CheckoutService; orderService: OrderService }) {}

  // Cost 50 in the query budget: a transaction over every line, a PaymentIntent at Stripe.
  @Mutation(() => Order, {
    complexity: 50,
    description:
      "Turns the caller's cart into an order awaiting payment and reserves its stock until reservedUntil. " +
      'The same idempotencyKey again returns the same order; with another cart or address it fails with CONFLICT.',
  })
  checkout(
    @Arg('input', () => CheckoutInput,
    { description: 'The idempotency key, the shipping address and, optionally, the total the buyer saw.' }) input: CheckoutInput, @Ctx() ctx: RequestContext,
  ): Promise<Order> {
    return this.services.checkoutService.checkout(ctx, input);
  }

  @Query(() => OrderConnection, { description: "The caller's orders, newest first; only those in `status` when it is given." })
  myOrders(
    @Args() page: ConnectionArgs,
    @Arg('status', () => OrderStatus, { nullable: true, description: 'Only orders in this status.' }) status: OrderStatus | null,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection<Order>> {
    return this.services.orderService.listMine(ctx, pageRequest(page), status);
  }

  @Query(() => Order, { description: 'An order, for its buyer, ADMIN and SUPPORT; anyone else gets NOT_FOUND.' })
  order(
    @Arg('id', () => ID,
    { description: 'The order: your own (any order for ADMIN and SUPPORT).' }) id: string, @Ctx() ctx: RequestContext,
  ): Promise<Order> {
    return this.services.orderService.findVisible(ctx, id);
  }

  @Mutation(() => Order, {
    description:
      'Cancels an order (its buyer or ADMIN) that awaits payment or is paid, and returns its stock; a paid order is refunded ' +
      '(its payment ends REFUNDED). Cancelling it again returns it as it is; a fulfilled or expired order: CONFLICT.',
  })
  cancelOrder(
    @Arg('id', () => ID,
    { description: 'The order to cancel: your own (any order for ADMIN).' }) id: string, @Ctx() ctx: RequestContext,
  ): Promise<Order> {
    return this.services.orderService.cancel(ctx, id);
  }

  @Mutation(() => Order, {
    description:
      "The order (its buyer's only) with a payment the buyer's client can complete: payment.clientSecret for Stripe.js. " +
      'Checkout already does this; call it when payment.clientSecret came back null (the provider was unavailable): ' +
      'the same payment intent comes back, never a second one. A paid order is returned as it is; an ended one: CONFLICT.',
  })
  startPayment(
    @Arg('orderId', () => ID,
    { description: 'Your order awaiting payment.' }) orderId: string, @Ctx() ctx: RequestContext,
  ): Promise<Order> {
    return this.services.orderService.startPayment(ctx, orderId);
  }
}
