import { Check, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { User } from '../accounts';
import { Product } from '../catalog';
import { Order } from '../orders';
import { newId } from '../../shared/ids';
import { StockReason } from './stock-reason';

/**
 * One row of the stock ledger: a change of a product's available stock, written in the transaction that
 * makes it. For every product, at every moment: `available = initial_stock + sum(delta)`, `stock_version`
 * is the number of its movements, and `version` runs 1, 2, 3… with no gap. Rows are never updated.
 * Written only by `stock-ledger.ts`, in plain SQL, together with the product's conditional update.
 */
@ObjectType({ description: "One change of a product's available stock, as the stock ledger keeps it. `orderNumber` and `actor` are resolved in stock-history.resolver.ts." })
@Entity({ tableName: 'stock_movement' })
@Unique({ properties: ['product', 'version'] })
@Check({ name: 'stock_movement_delta_not_zero', expression: 'delta <> 0' })
@Check({ name: 'stock_movement_available_after_not_negative', expression: 'available_after >= 0' })
@Check({ name: 'stock_movement_version_positive', expression: 'version > 0' })
export class StockMovement {
  @Field(() => ID, { description: 'Unique id of the movement.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Product, { ref: true, deleteRule: 'restrict', index: false })
  product!: Ref<Product>;

  /** Units added (positive) or taken (negative). */
  @Field(() => Int, { description: 'Units added (positive) or taken (negative).' })
  @Property({ type: 'integer' })
  delta!: number;

  @Field(() => StockReason, { description: 'Why the stock moved.' })
  @Enum({ items: () => StockReason, nativeEnumName: 'stock_reason' })
  reason!: StockReason;

  /** The order behind a sale, a release or a cancellation. */
  @ManyToOne(() => Order, { ref: true, nullable: true, deleteRule: 'restrict', index: false })
  @Index()
  order: Ref<Order> | null = null;

  /** Who adjusted the stock by hand (AdjustStock); null for changes made by checkout and jobs. */
  @ManyToOne(() => User, { ref: true, nullable: true, deleteRule: 'restrict', index: false })
  actor: Ref<User> | null = null;

  /** The free-text reason given to AdjustStock ("3 broken in transit"). */
  @Field(() => String, { nullable: true, description: "AdjustStock's reason, as the artisan wrote it; null for changes made by orders." })
  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  /** The product's available stock right after this movement. */
  @Field(() => Int, { name: 'available', description: 'Available stock right after this movement.' })
  @Property({ type: 'integer' })
  availableAfter!: number;

  /** The product's stock version after this movement: 1 for its first movement, then one more each time. */
  @Field(() => Int, { description: "The product's stock version after this movement: 1, 2, 3… with no gap." })
  @Property({ type: 'integer' })
  version!: number;

  @Field({ name: 'at', description: 'When the change committed (its transaction began).' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
