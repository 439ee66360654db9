import type { ServiceScope } from '../service-scope';
import { runSql } from '../../shared/sql';
import { EmailKind, queueBuyerEmail } from '../notifications';
import { notifyOrderUpdated, isAwaitingPayment, type OrderStatus } from '../orders';
import { idempotencyKeys, PaymentProviderUnavailableError } from './payment-gateway';
import { confirmDevelopmentPaymentJob } from './payment-job-names';
import { PaymentProvider } from './payment.entity';
import { PaymentStatus } from './payment-status';
import type { PaymentsRuntime } from './payments-runtime';

export type IntentOutcome = 'CREATED' | 'EXISTS' | 'NOT_PAYABLE' | 'PROVIDER_UNAVAILABLE';

/** The intent a call of `paymentService.ensureIntent` stored on the payment. */
export interface StoredIntent {
  reference: string;
  clientSecret: string;
  /** The payment's new `updatedAt`. */
  at: Date;
}

/** What a call of `paymentService.ensureIntent` did. */
export interface IntentResult {
  outcome: IntentOutcome;
  /** What this call stored (CREATED); null otherwise, also when a concurrent call had stored the same intent first. */
  stored: StoredIntent | null;
}

/** What the provider is asked to collect, for an order that awaits payment and has no intent yet. */
export interface NewPayment {
  provider: PaymentProvider;
  orderNumber: string;
  amount: number;
  currency: string;
}

/** What the payment service is made with: the providers, one per process. */
export interface PaymentServiceDeps {
  payments: PaymentsRuntime;
}

/**
 * Payments' calls to the provider. Each runs outside any transaction (a slow provider never holds a row
 * lock or a connection) with an idempotency key derived from the order, and writes its result afterwards
 * with a conditional update, so that retries, timeouts and concurrent callers all end with one intent and
 * one refund. Requests, jobs (`payment-jobs`) and scripts call the same methods; the time is the scope's clock.
 */
export function createPaymentService({ payments }: PaymentServiceDeps) {
  const paymentService = {
    /**
     * Gives the order's payment its provider intent and client secret, unless it has them or the order can no
     * longer be paid. Called after checkout commits, on a checkout replay, and by `startPayment`. When the
     * provider is down (timeouts, 5xx, or the circuit breaker open) nothing is lost: the payment stays
     * REQUIRES_PAYMENT without a secret, and the next call gets the same intent (same key) once it answers.
     * `fresh`: the payment a checkout has just created, so that its hot path does not read back what it wrote.
     */
    async ensureIntent(scope: ServiceScope, orderId: string, fresh?: NewPayment): Promise<IntentResult> {
      const { em } = scope;
      const now = scope.clock.now();
      let row = fresh;
      if (!row) {
        const [found] = await runSql<{ provider: PaymentProvider; provider_reference: string | null; amount: number; currency: string; status: OrderStatus; number: string }>(
          em,
          `select p.provider, p.provider_reference, p.amount, p.currency, o.status, o.number
             from payment p join customer_order o on o.id = p.order_id where p.order_id = ?`,
          [orderId],
        );
        if (!found) throw new Error(`order ${orderId} has no payment`);
        if (found.provider_reference) return { outcome: 'EXISTS', stored: null };
        if (!isAwaitingPayment(found.status)) return { outcome: 'NOT_PAYABLE', stored: null };
        row = { provider: found.provider, orderNumber: found.number, amount: found.amount, currency: found.currency };
      }
      const payment = row;
      const gateway = payments.gatewayFor(payment.provider);
      let intent;
      try {
        intent = await gateway.createIntent({
          orderId,
          orderNumber: payment.orderNumber,
          amount: payment.amount,
          currency: payment.currency,
          idempotencyKey: idempotencyKeys.intent(orderId),
        });
      } catch (error) {
        if (!(error instanceof PaymentProviderUnavailableError)) throw error;
        payments.logger.warn({ err: error, orderId }, 'payment provider unavailable: the payment waits as REQUIRES_PAYMENT');
        return { outcome: 'PROVIDER_UNAVAILABLE', stored: null };
      }
      // One statement, no transaction: the DEVELOPMENT provider's confirmation job is added by the same statement, only
      // when this call stored the intent.
      const confirmation =
        payment.provider === PaymentProvider.DEVELOPMENT
          ? confirmDevelopmentPaymentJob.scheduleSql({ orderId }, { runAt: new Date(now.getTime() + payments.developmentConfirmDelayMs) })
          : null;
      const [stored] = await runSql<{ id: string }>(
        em,
        `with stored as (
           update payment set provider_reference = ?, client_secret = ?, updated_at = ?
            where order_id = ? and provider_reference is null returning id
         )
         select id${confirmation ? `, (select ${confirmation.text}) as job` : ''} from stored`,
        [intent.reference, intent.clientSecret, now, orderId, ...(confirmation?.params ?? [])],
      );
      return { outcome: 'CREATED', stored: stored ? { reference: intent.reference, clientSecret: intent.clientSecret, at: now } : null };
    },

    /**
     * `ensureIntent` for a caller whose own work is already committed (checkout): a failure is logged, never
     * thrown, since the order exists and its buyer can ask again with `startPayment` or a checkout replay.
     */
    async prepareQuietly(scope: ServiceScope, orderId: string, fresh?: NewPayment): Promise<IntentResult | { outcome: 'FAILED'; stored: null }> {
      try {
        return await paymentService.ensureIntent(scope, orderId, fresh);
      } catch (error) {
        scope.logger.error({ err: error, orderId }, 'could not create the payment intent: the payment waits without a client secret');
        return { outcome: 'FAILED', stored: null };
      }
    },

    /**
     * Refunds a SUCCEEDED payment whose refund is due (a paid order cancelled, or a late payment), then marks it
     * REFUNDED, queues the buyer's REFUND_ISSUED email and tells OrderUpdates. Safe to run any number of times: the provider replays the refund of the
     * same key, and only one caller moves the status. Throws when the provider is unavailable: its caller (the
     * `refund_payment` job) retries.
     */
    async refund(scope: ServiceScope, orderId: string): Promise<'REFUNDED' | 'NOTHING_TO_DO'> {
      const { em } = scope;
      const now = scope.clock.now();
      const [payment] = await runSql<{ provider: PaymentProvider; provider_reference: string | null; amount: number; status: PaymentStatus; refund_reason: string | null }>(
        em,
        'select provider, provider_reference, amount, status, refund_reason from payment where order_id = ?',
        [orderId],
      );
      if (!payment || payment.status !== PaymentStatus.SUCCEEDED || !payment.refund_reason) return 'NOTHING_TO_DO';
      if (!payment.provider_reference) throw new Error(`payment of order ${orderId} succeeded without a provider reference`);
      await payments.gatewayFor(payment.provider).refund({
        reference: payment.provider_reference,
        amount: payment.amount,
        idempotencyKey: idempotencyKeys.refund(orderId),
      });
      return em.transactional(async (tx) => {
        const [refunded] = await runSql<{ id: string }>(
          tx,
          'update payment set status = ?, updated_at = ? where order_id = ? and status = ? returning id',
          [PaymentStatus.REFUNDED, now, orderId, PaymentStatus.SUCCEEDED],
        );
        if (!refunded) return 'NOTHING_TO_DO';
        await queueBuyerEmail(tx, orderId, EmailKind.REFUND_ISSUED);
        await notifyOrderUpdated(tx, orderId);
        return 'REFUNDED';
      });
    },

    /** Cancels the provider's intent of an order that ended unpaid. A provider that is down makes it throw (retry). */
    async cancelIntent(scope: ServiceScope, orderId: string): Promise<void> {
      const [payment] = await runSql<{ provider: PaymentProvider; provider_reference: string | null; status: PaymentStatus }>(
        scope.em,
        'select provider, provider_reference, status from payment where order_id = ?',
        [orderId],
      );
      if (!payment?.provider_reference || payment.status !== PaymentStatus.CANCELLED) return;
      await payments.gatewayFor(payment.provider).cancelIntent({ reference: payment.provider_reference, idempotencyKey: idempotencyKeys.cancel(orderId) });
    },
  };
  return paymentService;
}

export type PaymentService = ReturnType<typeof createPaymentService>;
