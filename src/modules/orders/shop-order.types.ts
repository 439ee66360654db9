import { ArgsType, Field, ID, ObjectType } from 'type-graphql';
import { ConnectionArgs, ConnectionType } from '../../shared/pagination';
import { OrderStatus } from './order-status';

/**
 * What a shop may know of an order as a whole: no lines, no total, no payment. The shop's views of an order
 * (`ShopOrder`, `FulfilmentPayload`, `ShopOrderUpdates`) hand out this type, never `Order`, so that other shops'
 * lines and the buyer's payment cannot be reached through them. Resolved from the `Order` entity itself.
 */
@ObjectType({ description: "An order as a shop sees it: its number and status, none of its lines, total or payment." })
export class OrderSummary {
  @Field(() => ID, { description: 'Unique id of the order.' })
  id!: string;

  @Field({ description: 'The order number the buyer sees.' })
  number!: string;

  @Field(() => OrderStatus, { description: 'Where the order stands.' })
  status!: OrderStatus;

  @Field({ description: 'When checkout created it.' })
  createdAt!: Date;

  @Field({ description: 'When its status last changed.' })
  updatedAt!: Date;
}

/** The buyer as a shop sees it: the name to ship to, never the email. */
@ObjectType({ description: 'The buyer of an order, as its shops see it: never the email.' })
export class OrderBuyer {
  @Field(() => ID, { description: 'Unique id of the buyer.' })
  id!: string;

  @Field({ description: "The buyer's public name." })
  displayName!: string;
}

/**
 * One shop's part of an order: the order's summary, the buyer's display name, the shipping address, that shop's
 * lines and their subtotal, and its shipment. Every field is resolved through the request's loaders
 * (`shop-order-fields.resolver.ts`); `id` is the order's, for the connection's cursors.
 */
@ObjectType({ description: "One shop's part of an order: only that shop's lines, their subtotal and its shipment." })
export class ShopOrder {
  /** The order's id (not a field: the node is identified by `order.id`). */
  id!: string;

  shopId!: string;

  /** Set on the nodes of `shopOrderUpdated`: the status that the event carries. */
  eventStatus?: OrderStatus;
}

export const ShopOrderConnection = ConnectionType(ShopOrder);

@ArgsType()
export class ShopOrdersArgs extends ConnectionArgs {
  @Field(() => OrderStatus, { nullable: true, description: 'Only the orders in this status.' })
  status?: OrderStatus | null;
}
