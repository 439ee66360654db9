import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { required } from '../../shared/loaders';
import { Money } from '../../shared/money';
import { type ProductRecord, type ShopRecord, Product, Shop } from '../catalog';
import { Payment } from '../payments';
import { OrderLine } from './order-line.entity';
import { Order } from './order.entity';
import { Shipment } from './shipment.entity';

/** Relations and amounts of an order, through per-request loaders. */
@Resolver(() => Order)
export class OrderFieldsResolver {
  @FieldResolver(() => Money, { description: 'Sum of the lines.' })
  total(@Root() order: Order): Money {
    return Money.of(order.totalAmount, order.currency);
  }

  @FieldResolver(() => [OrderLine], { description: 'What was bought, with the prices of the moment of checkout.' })
  lines(@Root() order: Order, @Ctx() ctx: RequestContext): Promise<OrderLine[]> {
    return ctx.loaders.linesOfOrder.load(order.id);
  }

  @FieldResolver(() => [Shipment], { description: "The shops' shipments of the order, oldest first: one per shop that has shipped its lines." })
  shipments(@Root() order: Order, @Ctx() ctx: RequestContext): Promise<Shipment[]> {
    return ctx.loaders.shipmentsOfOrder.load(order.id);
  }

  @FieldResolver(() => Payment, { description: 'How the order is paid, and where the payment stands.' })
  async payment(@Root() order: Order, @Ctx() ctx: RequestContext): Promise<Payment> {
    return required(await ctx.loaders.paymentOfOrder.load(order.id), 'payment', order.id);
  }
}

@Resolver(() => OrderLine)
export class OrderLineFieldsResolver {
  @FieldResolver(() => Product, { description: 'The product as it is now; the price paid is unitPrice.' })
  async product(@Root() line: OrderLine, @Ctx() ctx: RequestContext): Promise<ProductRecord> {
    return required(await ctx.loaders.productById.load(line.product.id), 'product', line.id);
  }

  @FieldResolver(() => Money, { description: 'Price of one unit at checkout.' })
  unitPrice(@Root() line: OrderLine): Money {
    return Money.of(line.unitPriceAmount, line.currency);
  }
}

@Resolver(() => Shipment)
export class ShipmentFieldsResolver {
  @FieldResolver(() => Shop, { description: 'The shop that shipped.' })
  async shop(@Root() shipment: Shipment, @Ctx() ctx: RequestContext): Promise<ShopRecord> {
    return required(await ctx.loaders.shopById.load(shipment.shop.id), 'shop', shipment.id);
  }
}
