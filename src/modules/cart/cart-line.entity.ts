import { Check, Entity, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Product } from '../catalog';
import { newId } from '../../shared/ids';
import { Cart } from './cart.entity';

/** The most units of one product that a cart line (and so an order line) holds. */
export const MAX_LINE_QUANTITY = 99;

/** A product in a cart. Prices are not kept here: a cart shows today's price, the order copies it at checkout. */
@Entity({ tableName: 'cart_line' })
@Unique({ properties: ['cart', 'product'] })
@Check({ name: 'cart_line_quantity_positive', expression: 'quantity >= 1' })
@Check({ name: 'cart_line_quantity_at_most_99', expression: `quantity <= ${MAX_LINE_QUANTITY}` })
export class CartLine {
  /** UUIDv7: lines show in the order they were added. */
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Cart, { ref: true, deleteRule: 'cascade', index: false })
  cart!: Ref<Cart>;

  @ManyToOne(() => Product, { ref: true, deleteRule: 'restrict' })
  product!: Ref<Product>;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
