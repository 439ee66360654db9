import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceScope } from '../service-scope';
import { isId } from '../../shared/ids';
import { optionalTimestampOf, runSql, type SqlTimestamp } from '../../shared/sql';
import { EmailKind, queueBuyerEmail, queueOrderPaidEmails } from '../notifications';
import { notifyOrderUpdated, type OrderStatus } from '../orders';
import { processPaymentEventJob, refundPaymentJob } from './payment-job-names';
import { decideTransition, parseProviderEvent, type Transition } from './payment-transitions';
import { type PaymentProvider, type RefundReason } from './payment.entity';
import { PaymentStatus } from './payment-status';
import { withoutPersonalData } from './provider-event-privacy';

/** A provider event as received: Stripe's Event shape, which the DEVELOPMENT provider imitates. */
export interface ProviderEvent {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

/** Thrown to have the job retried later: the event cannot be applied yet (see `retry-later`). */
export class EventNotApplicableYet extends Error {
  override readonly name = 'EventNotApplicableYet';
}

/** The payment's row as raw SQL gives it back: `provider_event_at` is text, read with `optionalTimestampOf`. */
interface LockedPayment {
  order_id: string;
  order_status: OrderStatus;
  status: PaymentStatus;
  provider_reference: string | null;
  provider_event_at: SqlTimestamp | null;
  amount: number;
  currency: string;
  refund_reason: RefundReason | null;
}

/**
 * The providers' events: recorded once by the webhook (`stripe-webhook`) or the DEVELOPMENT provider's confirmation,
 * then applied once by the `process_payment_event` job. Needs nothing but the scope: its time is the scope's clock.
 */
export const paymentEventService = {
  /**
   * Records a verified provider event once and queues its processing, in one transaction: true if it was new. The
   * payer's details that an event may carry are not stored (`withoutPersonalData`).
   * A duplicate delivery (Stripe retries, and sometimes sends an event twice) finds its id taken and changes
   * nothing. Event types that payments do not act on are recorded as processed, for the record. The event is
   * received at the scope's time. `queue: false` is for a caller that applies the event itself right after (the
   * DEVELOPMENT provider's confirmation).
   */
  async record(scope: ServiceScope, provider: PaymentProvider, event: ProviderEvent, options: { queue: boolean } = { queue: true }): Promise<boolean> {
    const receivedAt = scope.clock.now();
    const relevant = parseProviderEvent(event) !== null;
    return scope.em.transactional(async (tx) => {
      const [inserted] = await runSql<{ id: string }>(
        tx,
        `insert into payment_event (id, provider, type, payload, received_at, processed_at, outcome)
         values (?, ?, ?, ?::jsonb, ?, ?, ?)
         on conflict (id) do nothing returning id`,
        [event.id, provider, event.type, JSON.stringify(withoutPersonalData(event)), receivedAt, relevant ? null : receivedAt, relevant ? null : 'ignored: not a payment event'],
      );
      if (inserted && relevant && options.queue) await processPaymentEventJob.schedule(tx, { eventId: event.id });
      return Boolean(inserted);
    });
  },

  /**
   * Applies one recorded event, in one transaction, exactly once: the event row is locked and marked processed
   * in the same transaction as its effects, so a retried or duplicated job finds it done. The order's row, then
   * the payment's, are locked first (the order in which cancellations and expiries lock them), so events of one
   * payment apply one at a time. Returns what it did, as recorded in `payment_event.outcome`.
   */
  async apply(scope: ServiceScope, eventId: string): Promise<string> {
    const now = scope.clock.now();
    return scope.em.transactional(async (tx) => {
      const [row] = await runSql<{ payload: ProviderEvent; processed_at: SqlTimestamp | null; outcome: string | null }>(
        tx,
        'select payload, processed_at, outcome from payment_event where id = ? for update',
        [eventId],
      );
      if (!row) throw new Error(`payment event ${eventId} is not recorded`);
      if (row.processed_at) return row.outcome ?? 'already processed';
      const done = async (outcome: string) => {
        await runSql(tx, 'update payment_event set processed_at = ?, outcome = ? where id = ?', [now, outcome, eventId]);
        return outcome;
      };

      const event = parseProviderEvent(row.payload);
      if (!event) return done('ignored: not a payment event');
      const payment = await lockPayment(tx, event.reference, event.orderId);
      if (!payment) return done(`ignored: no payment has intent ${event.reference}`);

      const transition = decideTransition(
        {
          paymentStatus: payment.status,
          orderStatus: payment.order_status,
          // Parsed, never passed as read: the driver returns text, and a Date compared with text is always false
          // (a failure 4 s after a processing event was once ignored as "not newer").
          lastEventAt: optionalTimestampOf(payment.provider_event_at),
          amount: payment.amount,
          currency: payment.currency,
          refundReason: payment.refund_reason,
        },
        event,
      );
      if (transition.kind === 'ignore') return done(`ignored: ${transition.reason}`);
      if (transition.kind === 'retry-later') throw new EventNotApplicableYet(transition.reason);
      await applyTransition(tx, payment, transition, event.reference, event.at, now);
      const order = transition.order ? `, order ${transition.order}` : '';
      return done(`applied: payment ${transition.payment}${order}${transition.refundDue ? ', refund due' : ''}`);
    });
  },
};

export type PaymentEventService = typeof paymentEventService;

/**
 * The payment of an event, locked with its order: by the intent id, or else by the order id of the intent's
 * metadata when the event came before the write that stores the intent id (the provider answered, and the
 * buyer paid, faster than our update).
 */
async function lockPayment(tx: EntityManager, reference: string, metadataOrderId: string | null): Promise<LockedPayment | null> {
  const [target] = await runSql<{ order_id: string }>(
    tx,
    `select order_id from payment where provider_reference = ?
     union all
     select order_id from payment where ?::uuid is not null and order_id = ?::uuid and provider_reference is null
     limit 1`,
    [reference, metadataOrderId && isId(metadataOrderId) ? metadataOrderId : null, metadataOrderId && isId(metadataOrderId) ? metadataOrderId : null],
  );
  if (!target) return null;
  await runSql(tx, 'select id from customer_order where id = ? for update', [target.order_id]);
  const [payment] = await runSql<LockedPayment>(
    tx,
    `select p.order_id, o.status as order_status, p.status, p.provider_reference, p.provider_event_at, p.amount, p.currency, p.refund_reason
       from payment p join customer_order o on o.id = p.order_id
      where p.order_id = ? for update of p`,
    [target.order_id],
  );
  if (!payment || (payment.provider_reference && payment.provider_reference !== reference)) return null;
  return payment;
}

async function applyTransition(
  tx: EntityManager,
  payment: LockedPayment,
  transition: Extract<Transition, { kind: 'apply' }>,
  reference: string,
  eventAt: Date,
  now: Date,
): Promise<void> {
  await runSql(
    tx,
    `update payment set status = ?, provider_reference = coalesce(provider_reference, ?),
            provider_event_at = greatest(provider_event_at, ?), refund_reason = coalesce(?, refund_reason), updated_at = ?
      where order_id = ?`,
    [transition.payment, reference, eventAt, transition.refundReason, now, payment.order_id],
  );
  if (transition.order) {
    await runSql(tx, 'update customer_order set status = ?, updated_at = ? where id = ?', [transition.order, now, payment.order_id]);
  }
  // Side effects are jobs of this same transaction: they exist if and only if the transition committed.
  if (transition.orderPaid) await queueOrderPaidEmails(tx, payment.order_id);
  if (transition.refundDue) await refundPaymentJob.schedule(tx, { orderId: payment.order_id });
  // A refund made at the provider (or one whose event came before our own call returned): the buyer is told once.
  if (transition.payment === PaymentStatus.REFUNDED) await queueBuyerEmail(tx, payment.order_id, EmailKind.REFUND_ISSUED);
  await notifyOrderUpdated(tx, payment.order_id);
}
