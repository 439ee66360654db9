import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql, type SqlFragment } from '../../shared/sql';
import { Order } from '../orders';
import { cancelPaymentIntentJob, refundPaymentJob } from './payment-job-names';
import { Payment, RefundReason, type PaymentProvider } from './payment.entity';
import { OPEN_PAYMENT_STATUSES, PaymentStatus } from './payment-status';

/**
 * What other modules do to an order's payment, always through these functions and inside their own transaction
 * (the EntityManager, or the statement, they pass): the payments module is the only writer of `payment` rows.
 */

/** The payment a checkout creates with its order. */
export interface NewOrderPayment {
  orderId: string;
  /** The provider of the moment (`PAYMENT_PROVIDER`). */
  provider: PaymentProvider;
  /** The order's total, in minor units of `currency`. */
  amount: number;
  currency: string;
  now: Date;
}

/**
 * A new order's payment, REQUIRES_PAYMENT and without a provider intent (that is created after the commit, see
 * `paymentService.ensureIntent`: no network call inside the transaction), as the entity the request's loaders are
 * primed with and as the `INSERT` that writes it. The insert is a data-modifying statement for a `WITH` query of
 * the caller's statement (checkout writes its order, lines, payment and stock in one round trip); it may refer to
 * the order inserted beside it, since foreign keys are checked at the end of the statement.
 */
export function newOrderPayment(request: NewOrderPayment): { payment: Payment; insert: SqlFragment } {
  const payment = Object.assign(new Payment(), {
    order: ref(Order, request.orderId),
    provider: request.provider,
    status: PaymentStatus.REQUIRES_PAYMENT,
    amount: request.amount,
    currency: request.currency,
    createdAt: request.now,
    updatedAt: request.now,
  });
  return {
    payment,
    insert: {
      text: `insert into payment (id, order_id, provider, status, amount, currency, created_at, updated_at)
             values (?::uuid, ?::uuid, ?::payment_provider, ?::payment_status, ?::int, ?::char(3), ?::timestamptz, ?::timestamptz)`,
      params: [payment.id, request.orderId, payment.provider, payment.status, payment.amount, payment.currency, payment.createdAt, payment.updatedAt],
    },
  };
}

/**
 * The payment of an order that has just ended (cancelled or expired), in the caller's transaction, which ended it.
 * A paid order (`wasPaid`) keeps its payment SUCCEEDED with a refund due (ORDER_CANCELLED), which the queue's
 * `refund_payment` job carries out; an order still awaiting payment has its open payment CANCELLED, and the provider's
 * intent, if one was made, is cancelled from the queue (`cancel_payment_intent`), so that nobody pays it later.
 */
export async function endPaymentOfOrder(em: EntityManager, orderId: string, wasPaid: boolean, now: Date): Promise<void> {
  if (wasPaid) {
    await runSql(em, 'update payment set refund_reason = ?, updated_at = ? where order_id = ? and status = ?', [
      RefundReason.ORDER_CANCELLED, now, orderId, PaymentStatus.SUCCEEDED,
    ]);
    await refundPaymentJob.schedule(em, { orderId });
    return;
  }
  const [payment] = await runSql<{ provider_reference: string | null }>(
    em,
    'update payment set status = ?, updated_at = ? where order_id = ? and status = any(?::payment_status[]) returning provider_reference',
    [PaymentStatus.CANCELLED, now, orderId, OPEN_PAYMENT_STATUSES],
  );
  if (payment?.provider_reference) await cancelPaymentIntentJob.schedule(em, { orderId });
}
