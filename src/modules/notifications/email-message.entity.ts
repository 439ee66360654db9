import { Entity, Enum, ManyToOne, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { User } from '../accounts';
import { Order } from '../orders';
import { newId } from '../../shared/ids';

/** Why an email is written. Codes are stable: the outbox, metrics and job keys carry them. */
export enum EmailKind {
  ORDER_CONFIRMATION = 'ORDER_CONFIRMATION',
  NEW_ORDER = 'NEW_ORDER',
  PASSWORD_RESET = 'PASSWORD_RESET',
  ORDER_SHIPPED = 'ORDER_SHIPPED',
  ORDER_CANCELLED = 'ORDER_CANCELLED',
  REFUND_ISSUED = 'REFUND_ISSUED',
}
registerEnumType(EmailKind, {
  name: 'EmailKind',
  description:
    "ORDER_CONFIRMATION goes to the buyer of a paid order; NEW_ORDER to each artisan whose shop's products are in it; " +
    'ORDER_SHIPPED (one per shipment), ORDER_CANCELLED and REFUND_ISSUED to the buyer; PASSWORD_RESET to a user who asked for a reset (about no order).',
  valuesConfig: {
    ORDER_CONFIRMATION: { description: 'To the buyer, once the order is paid: every line, the total, the shipping address.' },
    NEW_ORDER: { description: "To the owner of each shop whose products are in a paid order: that shop's lines only." },
    PASSWORD_RESET: { description: 'To a user who asked to reset a forgotten password: the single-use token. About no order.' },
    ORDER_SHIPPED: { description: 'To the buyer, once per shipment: which shop shipped what, the carrier and the tracking number.' },
    ORDER_CANCELLED: { description: 'To the buyer, when the order is cancelled (by the buyer or an admin).' },
    REFUND_ISSUED: { description: 'To the buyer, when the payment was refunded: the amount and why.' },
  },
});

/** How an email was delivered. */
export enum EmailTransport {
  SMTP = 'SMTP',
  OUTBOX = 'OUTBOX',
}
registerEnumType(EmailTransport, {
  name: 'EmailTransport',
  description: 'SMTP: handed to the configured SMTP server. OUTBOX: no SMTP server is configured; the email is only kept here, for operators.',
  valuesConfig: {
    SMTP: { description: 'Handed to the SMTP server of `SMTP_URL`.' },
    OUTBOX: { description: 'No `SMTP_URL`: kept in this table for operators, which is its delivery.' },
  },
});

/**
 * One email about an order, at most one per (order, kind, recipient, part): the unique key is what makes sending
 * idempotent (see `email-delivery.ts`). Written only by the delivery, in SQL; operators read it with `emails`.
 * `order` and `recipient` are resolved in `email-message-fields.resolver.ts`.
 */
@ObjectType({ description: 'An email about an order: sent through SMTP, or kept in the outbox when no SMTP server is configured.' })
@Entity({ tableName: 'email_message' })
// Also serves `emails(orderId:)`: an order has a handful of emails.
@Unique({ properties: ['order', 'kind', 'recipient', 'partKey'] })
export class EmailMessage {
  @Field(() => ID, { description: 'Unique id of the email.' })
  @PrimaryKey({ type: 'uuid' })
  id: string = newId();

  /** The order it is about; null for account emails (PASSWORD_RESET). */
  @ManyToOne(() => Order, { ref: true, deleteRule: 'cascade', index: false, nullable: true })
  order: Ref<Order> | null = null;

  @Field(() => EmailKind, { description: 'Why it was written.' })
  @Enum({ items: () => EmailKind, type: 'text' })
  kind!: EmailKind;

  @ManyToOne(() => User, { ref: true, deleteRule: 'restrict' })
  recipient!: Ref<User>;

  /** The part of the order it is about: '' for the whole order; the shipment's id for ORDER_SHIPPED (one email per shipment). */
  @Property({ type: 'text', default: '' })
  partKey: string = '';

  /** The recipient's email address when the email was written (a later change of address does not follow). */
  @Field({ name: 'to', description: "The address it was written to: the recipient's email at that moment." })
  @Property({ type: 'text' })
  toAddress!: string;

  @Field({ description: 'The Subject header.' })
  @Property({ type: 'text' })
  subject!: string;

  @Field({
    description:
      'The plain-text body: emptied RETENTION_EMAIL_BODY_DAYS (90) after delivery, and replaced by an erasure notice when the person it was written to or about deleted the account.',
  })
  @Property({ type: 'text' })
  body!: string;

  @Field(() => EmailTransport, { description: 'How it was delivered.' })
  @Enum({ items: () => EmailTransport, type: 'text' })
  transport!: EmailTransport;

  /** `<kind.order.recipient@domain>`: every attempt at the same email carries the same Message-ID. */
  @Field({ description: 'The Message-ID header, the same on every attempt: a copy sent twice is recognisable as one message.' })
  @Property({ type: 'text' })
  messageId!: string;

  @Field({ description: 'When it was written (queued for delivery).' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date, {
    nullable: true,
    description: 'When it was delivered: accepted by the SMTP server, or written to the outbox. Null while an SMTP delivery is pending or being retried.',
  })
  @Property({ type: 'timestamptz', nullable: true })
  sentAt: Date | null = null;
}
