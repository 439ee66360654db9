import { Args, Ctx, Directive, FieldResolver, Resolver, Root } from 'type-graphql';
import { cacheHint } from '../../shared/cache-hints';
import type { RequestContext } from '../request-context';
import { required } from '../../shared/loaders';
import { Money } from '../../shared/money';
import { pageRequest, type Connection } from '../../shared/pagination';
import { Shop } from '../catalog';
import { Address } from './address';
import { OrderLine } from './order-line.entity';
import { Order } from './order.entity';
import { Shipment } from './shipment.entity';
import { OrderBuyer, OrderSummary, ShopOrder, ShopOrderConnection, ShopOrdersArgs } from './shop-order.types';
import type { ShopOrdersService } from './shop-orders.service';

/** `Shop.orders`: guarded by `canSeeShopOrders` (see order.rules.ts). */
@Resolver(() => Shop)
export class ShopOrdersResolver {
  constructor(private readonly services: { shopOrdersService: ShopOrdersService }) {}

  @Directive(cacheHint({ scope: 'PRIVATE' }))
  @FieldResolver(() => ShopOrderConnection, {
    nullable: true,
    description:
      "The orders that hold the shop's products, newest first, each with only this shop's lines and subtotal: for the shop's " +
      'artisan, ADMIN and SUPPORT; anyone else gets null with a FORBIDDEN error. status filters when given.',
  })
  orders(@Root() shop: Shop, @Args() args: ShopOrdersArgs, @Ctx() ctx: RequestContext): Promise<Connection<ShopOrder>> {
    return this.services.shopOrdersService.list(ctx, shop.id, pageRequest(args), args.status ?? null);
  }
}

/** A shop's part of an order, all through the request's loaders: a page of them is a constant number of statements. */
@Resolver(() => ShopOrder)
export class ShopOrderFieldsResolver {
  @FieldResolver(() => OrderSummary, { description: "The order as a whole, as a shop sees it: number and status, none of the other shops' lines nor the payment." })
  order(@Root() node: ShopOrder, @Ctx() ctx: RequestContext): Promise<OrderSummary> {
    return orderOf(node, ctx);
  }

  @FieldResolver(() => OrderBuyer, { description: 'Who ordered: the display name to ship to, never the email.' })
  async buyer(@Root() node: ShopOrder, @Ctx() ctx: RequestContext): Promise<OrderBuyer> {
    const order = await orderOf(node, ctx);
    const user = required(await ctx.loaders.userById.load(order.buyer.id), 'buyer', order.id);
    return { id: user.id, displayName: user.displayName };
  }

  @FieldResolver(() => Address, { description: 'Where to ship.' })
  async shippingAddress(@Root() node: ShopOrder, @Ctx() ctx: RequestContext): Promise<Address> {
    return (await orderOf(node, ctx)).shippingAddress;
  }

  @FieldResolver(() => [OrderLine], { description: "This shop's lines of the order, and no other's." })
  lines(@Root() node: ShopOrder, @Ctx() ctx: RequestContext): Promise<OrderLine[]> {
    return linesOf(node, ctx);
  }

  @FieldResolver(() => Money, { description: "The sum of this shop's lines." })
  async subtotal(@Root() node: ShopOrder, @Ctx() ctx: RequestContext): Promise<Money> {
    const lines = await linesOf(node, ctx);
    const order = await orderOf(node, ctx);
    return Money.of(lines.reduce((sum, line) => sum + line.quantity * line.unitPriceAmount, 0), order.currency);
  }

  @FieldResolver(() => Shipment, { nullable: true, description: "This shop's shipment of its lines; null until it ships." })
  async shipment(@Root() node: ShopOrder, @Ctx() ctx: RequestContext): Promise<Shipment | null> {
    const shipments = await ctx.loaders.shipmentsOfOrder.load(node.id);
    return shipments.find((shipment) => shipment.shop.id === node.shopId) ?? null;
  }
}

/** The order, with the status of the live event the node stands for, if it does (see `ShopOrder.eventStatus`). */
async function orderOf(node: ShopOrder, ctx: RequestContext): Promise<Order> {
  const order = required(await ctx.loaders.orderById.load(node.id), 'order', node.id);
  // Never flushed (a throwaway fork per event): the event's status, not a later one read meanwhile.
  if (node.eventStatus) order.status = node.eventStatus;
  return order;
}

async function linesOf(node: ShopOrder, ctx: RequestContext): Promise<OrderLine[]> {
  const lines = await ctx.loaders.linesOfOrder.load(node.id);
  return lines.filter((line) => line.shop.id === node.shopId);
}
