import { Check, Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { Product, Shop } from '../catalog';
import { newId } from '../../shared/ids';
import { Order } from './order.entity';

/** One product of an order, at the price it had at checkout (in the order's currency). */
@ObjectType({ description: 'One product of an order, at the unit price it had at checkout.' })
@Entity({ tableName: 'order_line' })
@Unique({ properties: ['order', 'product'] })
// A shop's orders, newest first (ShopOrders): the order ids of its lines, read backwards from this index.
@Index({ properties: ['shop', 'order'] })
@Check({ name: 'order_line_quantity_positive', expression: 'quantity >= 1' })
@Check({ name: 'order_line_quantity_at_most_99', expression: 'quantity <= 99' })
@Check({ name: 'order_line_unit_price_not_negative', expression: 'unit_price_amount >= 0' })
export class OrderLine {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Order, { ref: true, deleteRule: 'cascade', index: false })
  order!: Ref<Order>;

  @ManyToOne(() => Product, { ref: true, deleteRule: 'restrict' })
  product!: Ref<Product>;

  /** The product's shop, copied at checkout (a product never changes shop): a shop's part of an order without a join. */
  @ManyToOne(() => Shop, { ref: true, deleteRule: 'restrict', index: false })
  shop!: Ref<Shop>;

  @Field(() => Int, { description: 'How many units.' })
  @Property({ type: 'integer' })
  quantity!: number;

  /** The product's price at checkout, in the minor unit of `currency`. */
  @Property({ type: 'integer' })
  unitPriceAmount!: number;

  /** The order's currency, kept on the line so that a line is priced on its own. */
  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;
}
