import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { PaymentProvider } from './payment.entity';

/**
 * A provider event as it was received (a verified Stripe webhook, or the DEVELOPMENT provider's confirmation),
 * recorded once per event id: a duplicate delivery finds its id taken and does nothing. Its job
 * (`process_payment_event`) applies it and sets `processedAt`.
 */
@Entity({ tableName: 'payment_event' })
@Index({ properties: ['receivedAt'] })
export class PaymentEvent {
  /** The provider's event id (`evt_…`). */
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Enum({ items: () => PaymentProvider, nativeEnumName: 'payment_provider' })
  provider!: PaymentProvider;

  /** `payment_intent.succeeded`, `charge.refunded`, … */
  @Property({ type: 'text' })
  type!: string;

  /** The whole event, as the provider sent it, but for the payer's details it may carry (`provider-event-privacy.ts`). */
  @Property({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  receivedAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  processedAt: Date | null = null;

  /** What applying it did (`applied: order PAID`, `ignored: …`), for operators. */
  @Property({ type: 'text', nullable: true })
  outcome: string | null = null;
}
