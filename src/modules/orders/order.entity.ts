import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { User } from '../accounts';
import { OpenedValues } from '../../infra/encryption/opened-values';
import { newId } from '../../shared/ids';
import { Address } from './address';
import { OrderStatus } from './order-status';
import { openOrderAddress, sealOrderAddress } from './sealed-address';
import { ShippingAddressErasedError, ShippingAddressUnreadableError } from './order.errors';

/** The last address each order opened, by its sealed text: an order read many times opens it once. */
const openedAddresses = new OpenedValues<Order, Address>();

/**
 * What a buyer bought at checkout, in one currency. Lines carry the prices of that moment. `total`,
 * `lines` and `payment` are resolved in `order-fields.resolver.ts`.
 */
@ObjectType({ description: "A buyer's order: made at checkout, in one currency, with the prices of that moment." })
@Entity({ tableName: 'customer_order' })
// One order per (buyer, idempotency key): a retried checkout finds the order of its first attempt.
@Unique({ properties: ['buyer', 'idempotencyKey'] })
// MyOrders: the buyer's orders newest first (UUIDv7 ids sort by creation).
@Index({ properties: ['buyer', 'id'] })
// The sweep for reservations that ran out.
@Index({ properties: ['status', 'reservedUntil'] })
@Check({ name: 'customer_order_total_amount_not_negative', expression: 'total_amount >= 0' })
export class Order {
  /** Not a column: `em.create` leaves it out, and the address is set once the id is (it is sealed with it). */
  [OptionalProps]?: 'shippingAddress';

  @Field(() => ID, { description: 'Unique id of the order.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  /** Human-friendly and unique (`AT-001042`), from the `order_number_seq` sequence. */
  @Field({ description: 'Human-friendly order number, unique, e.g. AT-001042.' })
  @Property({ type: 'text', unique: true })
  number!: string;

  @ManyToOne(() => User, { ref: true, deleteRule: 'restrict', index: false })
  buyer!: Ref<User>;

  @Field(() => OrderStatus, { description: 'Where the order stands.' })
  @Enum({ items: () => OrderStatus, nativeEnumName: 'order_status' })
  status: OrderStatus = OrderStatus.PENDING_PAYMENT;

  /** ISO 4217: every line of the order is priced in it. */
  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  /** Sum of the lines, in the minor unit of `currency`. */
  @Property({ type: 'integer' })
  totalAmount!: number;

  /**
   * The shipping address sealed with AES-256-GCM, bound to this order's id (see `sealed-address.ts`). Null once
   * erased: the buyer deleted the account and the legal retention period ended. Set it through `shippingAddress`.
   */
  @Property({ type: 'text', fieldName: 'shipping_address', nullable: true, hidden: true })
  sealedShippingAddress: string | null = null;

  /**
   * The shipping address, opened on read and sealed on write (the order's `id` must be set first). Throws
   * when it cannot be opened (logged with the order and key id) or was erased: GraphQL answers that field with
   * an error and keeps the rest of the order.
   */
  @Field(() => Address, {
    nullable: true,
    description: "Where it ships. Null, with an error, only when the stored value cannot be read or was erased after the buyer's account was deleted and the retention period ended.",
  })
  get shippingAddress(): Address {
    const sealed = this.sealedShippingAddress;
    if (sealed === null) throw new ShippingAddressErasedError();
    return openedAddresses.read(this, sealed, () => openOrderAddress(this.id, sealed), () => new ShippingAddressUnreadableError());
  }

  set shippingAddress(address: Address) {
    this.sealedShippingAddress = sealOrderAddress(this.id, address);
    openedAddresses.remember(this, this.sealedShippingAddress, address);
  }

  /** The client's key for this checkout; unique per buyer. */
  @Property({ type: 'text' })
  idempotencyKey!: string;

  /** Keyed blind index (HMAC-SHA-256, see `checkout-request.ts`) of the cart lines and address that made the order: a retry with other ones is a CONFLICT. */
  @Property({ type: 'text' })
  requestFingerprint!: string;

  @Field({ description: 'Until when the stock stays reserved; an order still unpaid then becomes EXPIRED.' })
  @Property({ type: 'timestamptz' })
  reservedUntil!: Date;

  @Field({ description: 'When checkout created it.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field({ description: 'When its status or payment last changed.' })
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
