import { Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Order } from '../orders/order.entity';
import { newId } from '../../shared/ids';

export enum PaymentProvider {
  STRIPE = 'STRIPE',
  /** The offline provider of the embedded default; never in production. */
  DEVELOPMENT = 'DEVELOPMENT',
}
registerEnumType(PaymentProvider, { name: 'PaymentProvider', description: 'Who takes the payment.' });

export enum PaymentStatus {
  REQUIRES_PAYMENT = 'REQUIRES_PAYMENT',
  PROCESSING = 'PROCESSING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  REFUNDED = 'REFUNDED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(PaymentStatus, { name: 'PaymentStatus', description: 'Where the payment of an order stands.' });

/**
 * The payment of an order, one per order, created by checkout as REQUIRES_PAYMENT. Taking the money
 * (Stripe, webhooks, the DEVELOPMENT provider's confirmation) is the next issue's: until then no client
 * secret exists and nothing moves a payment past REQUIRES_PAYMENT but a cancellation or an expiry.
 */
@ObjectType({ description: 'The payment of an order.' })
@Entity()
export class Payment {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Order, { ref: true, unique: true, deleteRule: 'cascade' })
  order!: Ref<Order>;

  @Field(() => PaymentProvider)
  @Enum({ items: () => PaymentProvider, nativeEnumName: 'payment_provider' })
  provider!: PaymentProvider;

  @Field(() => PaymentStatus)
  @Enum({ items: () => PaymentStatus, nativeEnumName: 'payment_status' })
  status: PaymentStatus = PaymentStatus.REQUIRES_PAYMENT;

  /** What is to be paid, in the minor unit of `currency` (the order's total). */
  @Property({ type: 'integer' })
  amount!: number;

  @Property({ type: 'string', columnType: 'char(3)' })
  currency!: string;

  /** The provider's secret that lets the buyer's browser complete the payment; only the buyer may read it. */
  @Field(() => String, { nullable: true, description: "Lets the buyer's client complete the payment; null until the provider issues one." })
  @Property({ type: 'text', nullable: true })
  clientSecret: string | null = null;

  /** The provider's id of the payment (a Stripe PaymentIntent id). */
  @Property({ type: 'text', nullable: true })
  providerReference: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
