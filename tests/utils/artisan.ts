import { applyPaymentEvent, recordPaymentEvent } from '../../src/modules/payments/payment-events';
import { PaymentProvider } from '../../src/modules/payments/payment.entity';
import { runSql } from '../../src/shared/sql';
import type { FixtureTarget } from './buyers';

/**
 * Pays an order of the DEVELOPMENT provider now, by the path a webhook takes: a `payment_intent.succeeded`
 * event is recorded, then applied (the order becomes PAID, its emails are queued, OrderUpdates is told).
 * Test servers confirm development payments only an hour after checkout, so orders wait until this is called.
 */
export async function payOrder(server: FixtureTarget, orderId: string): Promise<void> {
  const em = server.database.orm.em.fork();
  const [payment] = await runSql<{ provider_reference: string | null; amount: number; currency: string }>(
    em,
    'select provider_reference, amount, currency from payment where order_id = ?',
    [orderId],
  );
  if (!payment?.provider_reference) throw new Error(`order ${orderId} has no payment intent to pay`);
  const eventId = `test_evt_${payment.provider_reference}_succeeded`;
  const now = new Date();
  await recordPaymentEvent(
    em,
    PaymentProvider.DEVELOPMENT,
    {
      id: eventId,
      type: 'payment_intent.succeeded',
      created: Math.floor(now.getTime() / 1000),
      data: {
        object: {
          id: payment.provider_reference,
          amount: payment.amount,
          amount_received: payment.amount,
          currency: payment.currency.toLowerCase(),
          metadata: { orderId },
        },
      },
    },
    now,
    { queue: false },
  );
  const outcome = await applyPaymentEvent(em, eventId, now);
  if (!outcome.includes('order PAID')) throw new Error(`order ${orderId} not paid: ${outcome}`);
}

/** The order's status as stored. */
export async function statusOf(server: FixtureTarget, orderId: string): Promise<string> {
  const [row] = await runSql<{ status: string }>(server.database.orm.em.fork(), 'select status from customer_order where id = ?', [orderId]);
  if (!row) throw new Error(`no order ${orderId}`);
  return row.status;
}
