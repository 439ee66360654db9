import { z } from 'zod';
import { isAwaitingPayment, OrderStatus } from '../orders';
import { RefundReason } from './payment.entity';
import { OPEN_PAYMENT_STATUSES, PaymentStatus } from './payment-status';

/**
 * What a provider event says happened to a payment, whatever the provider. Parsed from the raw event by
 * `parseProviderEvent`; decided upon by `decideTransition`, which knows no database.
 */
export type PaymentHappening = 'processing' | 'failed' | 'succeeded' | 'refunded' | 'canceled';

export interface ParsedProviderEvent {
  happening: PaymentHappening;
  /** The provider's intent id the event is about. */
  reference: string;
  /** The order id we put in the intent's metadata, when the event carries the intent. */
  orderId: string | null;
  /** `succeeded`: the amount paid; `refunded`: the amount refunded in all. Minor units. */
  amount: number | null;
  /** Upper-case ISO 4217, when the event says. */
  currency: string | null;
  /** When the provider created the event. */
  at: Date;
}

const INTENT_EVENTS: Readonly<Record<string, PaymentHappening>> = {
  'payment_intent.processing': 'processing',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.canceled': 'canceled',
};

/** A field of the event's object that payments read: null when absent or of another shape, as the provider may send. */
const text = z.string().min(1).nullable().catch(null);
const int = z.int().nullable().catch(null);

/**
 * What payments read of the object of a Stripe-shaped event (a payment intent, a charge or a refund): every field
 * optional, since which ones are there depends on the event's type; the type decides which are needed.
 */
const eventObjectSchema = z.object({
  id: text,
  currency: text,
  status: text,
  payment_intent: text,
  amount: int,
  amount_received: int,
  amount_refunded: int,
  metadata: z.object({ orderId: text }).catch({ orderId: null }),
});

/** The payment news in a Stripe-shaped event, or null for an event type that payments do not act on. */
export function parseProviderEvent(event: { type: string; created: number; data: { object: Record<string, unknown> } }): ParsedProviderEvent | null {
  // Never throws: every field falls back to null.
  const object = eventObjectSchema.parse(event.data.object);
  const at = new Date(event.created * 1000);
  const currency = object.currency?.toUpperCase() ?? null;
  const intentHappening = INTENT_EVENTS[event.type];
  if (intentHappening) {
    const reference = object.id;
    if (!reference) return null;
    const amount = intentHappening === 'succeeded' ? (object.amount_received ?? object.amount) : object.amount;
    return { happening: intentHappening, reference, orderId: object.metadata.orderId, amount, currency, at };
  }
  // A refund, seen from the charge (`charge.refunded`, amount_refunded in all) or from the refund itself.
  if (event.type === 'charge.refunded') {
    const reference = object.payment_intent;
    return reference ? { happening: 'refunded', reference, orderId: null, amount: object.amount_refunded, currency, at } : null;
  }
  if ((event.type === 'refund.created' || event.type === 'refund.updated') && object.status === 'succeeded') {
    const reference = object.payment_intent;
    return reference ? { happening: 'refunded', reference, orderId: null, amount: object.amount, currency, at } : null;
  }
  return null;
}

export interface PaymentState {
  paymentStatus: PaymentStatus;
  orderStatus: OrderStatus;
  /**
   * `created` of the last event applied; null before any. A `Date`, never the text that raw SQL returns for a
   * `timestamptz` (see `timestampOf`): `decideTransition` refuses anything else.
   */
  lastEventAt: Date | null;
  /** What the payment is for, in minor units. */
  amount: number;
  currency: string;
  refundReason: RefundReason | null;
}

export type Transition =
  /** Nothing to change: a duplicate, a late event, or one that does not concern us. */
  | { kind: 'ignore'; reason: string }
  /** Not applicable yet (a refund seen before the success it undoes): the job is retried later. */
  | { kind: 'retry-later'; reason: string }
  | {
      kind: 'apply';
      payment: PaymentStatus;
      /** The order's new status, when it changes. */
      order: OrderStatus | null;
      /** Set when a refund is now due (LATE_PAYMENT) or has happened at the provider (PROVIDER). */
      refundReason: RefundReason | null;
      /** The payment succeeded for an order that no longer wants it: refund it from the queue. */
      refundDue: boolean;
      /** The order is paid: queue the confirmation emails. */
      orderPaid: boolean;
    };

/**
 * The one place where provider events move payments and orders. States only move forward, so that events that
 * come twice, late or out of order never undo anything: SUCCEEDED and REFUNDED are never left for an earlier
 * state, and PROCESSING and FAILED (a buyer may fail, then try again) replace each other only for a newer event.
 */
export function decideTransition(state: PaymentState, event: ParsedProviderEvent): Transition {
  // The types already say Date; this catches a caller whose row type lied (raw SQL gives timestamptz as text).
  if ((state.lastEventAt !== null && !(state.lastEventAt instanceof Date)) || !(event.at instanceof Date)) {
    throw new TypeError('decideTransition compares instants: lastEventAt and event.at must be Dates');
  }
  const newer = state.lastEventAt === null || event.at > state.lastEventAt;
  const notOlder = state.lastEventAt === null || event.at >= state.lastEventAt;
  const apply = (payment: PaymentStatus, changes: Partial<Omit<Extract<Transition, { kind: 'apply' }>, 'kind' | 'payment'>> = {}): Transition => ({
    kind: 'apply',
    payment,
    order: null,
    refundReason: null,
    refundDue: false,
    orderPaid: false,
    ...changes,
  });

  switch (event.happening) {
    case 'processing':
      if (state.paymentStatus === PaymentStatus.REQUIRES_PAYMENT || (state.paymentStatus === PaymentStatus.FAILED && newer)) {
        return apply(PaymentStatus.PROCESSING);
      }
      return { kind: 'ignore', reason: `payment is ${state.paymentStatus}: a processing event changes nothing` };

    case 'failed':
      if (state.paymentStatus === PaymentStatus.REQUIRES_PAYMENT || (state.paymentStatus === PaymentStatus.PROCESSING && notOlder)) {
        const order = state.orderStatus === OrderStatus.PENDING_PAYMENT ? OrderStatus.PAYMENT_FAILED : null;
        return apply(PaymentStatus.FAILED, { order });
      }
      return { kind: 'ignore', reason: `payment is ${state.paymentStatus}: a failure event changes nothing` };

    case 'succeeded': {
      if (!OPEN_PAYMENT_STATUSES.includes(state.paymentStatus) && state.paymentStatus !== PaymentStatus.CANCELLED) {
        return { kind: 'ignore', reason: `payment is already ${state.paymentStatus}` };
      }
      if (event.amount !== null && event.amount !== state.amount) {
        return { kind: 'ignore', reason: `paid ${event.amount} but the payment is for ${state.amount}: left for an operator` };
      }
      if (isAwaitingPayment(state.orderStatus) && state.paymentStatus !== PaymentStatus.CANCELLED) {
        return apply(PaymentStatus.SUCCEEDED, { order: OrderStatus.PAID, orderPaid: true });
      }
      // The order expired or was cancelled before the money came: it is not wanted any more.
      return apply(PaymentStatus.SUCCEEDED, { refundReason: RefundReason.LATE_PAYMENT, refundDue: true });
    }

    case 'refunded':
      if (state.paymentStatus === PaymentStatus.REFUNDED) return { kind: 'ignore', reason: 'payment is already REFUNDED' };
      if (state.paymentStatus !== PaymentStatus.SUCCEEDED) {
        return { kind: 'retry-later', reason: `refund seen while the payment is ${state.paymentStatus}: waiting for its success event` };
      }
      if (event.amount !== null && event.amount < state.amount) {
        return { kind: 'ignore', reason: `partial refund of ${event.amount} out of ${state.amount}: the payment stays SUCCEEDED` };
      }
      return apply(PaymentStatus.REFUNDED, { refundReason: state.refundReason ?? RefundReason.PROVIDER });

    case 'canceled':
      return { kind: 'ignore', reason: 'an intent cancelled at the provider can no longer be paid: the order expires at reservedUntil' };

    default: {
      const unreachable: never = event.happening;
      throw new Error(`unknown payment happening ${String(unreachable)}`);
    }
  }
}
