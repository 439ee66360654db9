import { Entity, Enum, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Order } from '../orders';
import { PaymentStatus } from './payment-status';
import { newId } from '../../shared/ids';

export enum PaymentProvider {
  STRIPE = 'STRIPE',
  DEVELOPMENT = 'DEVELOPMENT',
}
registerEnumType(PaymentProvider, {
  name: 'PaymentProvider',
  description: 'Who takes the payment.',
  valuesConfig: {
    STRIPE: { description: 'Stripe: the buyer pays with the client secret; webhooks confirm the payment.' },
    DEVELOPMENT: { description: 'The offline provider of the embedded default; never in production.' },
  },
});

export enum RefundReason {
  /** The buyer or an admin cancelled the paid order. */
  ORDER_CANCELLED = 'ORDER_CANCELLED',
  /** The payment succeeded after the order had expired or been cancelled: refunded automatically. */
  LATE_PAYMENT = 'LATE_PAYMENT',
  /** Refunded at the provider (Stripe's dashboard, a dispute): Atelier learnt it from a webhook. */
  PROVIDER = 'PROVIDER',
}
registerEnumType(RefundReason, {
  name: 'RefundReason',
  description: 'Why a payment was refunded.',
  valuesConfig: {
    ORDER_CANCELLED: { description: 'The buyer or an admin cancelled the paid order.' },
    LATE_PAYMENT: { description: 'The payment succeeded after the order had expired or been cancelled, and was refunded automatically.' },
    PROVIDER: { description: "Refunded at the payment provider (e.g. Stripe's dashboard)." },
  },
});

/**
 * The payment of an order, one per order, created by checkout as REQUIRES_PAYMENT with the provider of the
 * moment. Its provider intent (and client secret) is created right after checkout commits, outside the
 * transaction (payment.service.ts); the provider's events move its status, forward only
 * (payment-transitions.ts).
 */
@ObjectType({ description: 'The payment of an order.' })
@Entity()
export class Payment {
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  @ManyToOne(() => Order, { ref: true, unique: true, deleteRule: 'cascade' })
  order!: Ref<Order>;

  @Field(() => PaymentProvider, { description: 'Who takes the payment.' })
  @Enum({ items: () => PaymentProvider, nativeEnumName: 'payment_provider' })
  provider!: PaymentProvider;

  @Field(() => PaymentStatus, { description: 'Where the payment stands.' })
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

  /** The provider's id of the payment (a Stripe PaymentIntent id); null until the provider answered. */
  @Property({ type: 'text', nullable: true, unique: true })
  providerReference: string | null = null;

  /** The `created` time of the last provider event applied: orders PROCESSING and FAILED, which may alternate. */
  @Property({ type: 'timestamptz', nullable: true })
  providerEventAt: Date | null = null;

  @Field(() => RefundReason, { nullable: true, description: 'Why the payment was refunded, once a refund is due; null otherwise.' })
  @Enum({ items: () => RefundReason, nativeEnumName: 'refund_reason', nullable: true })
  refundReason: RefundReason | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
