import type { ServiceScope } from '../service-scope';
import { runSql } from '../../shared/sql';
import { paymentEventService } from './payment-events';
import { PaymentProvider } from './payment.entity';
import { OPEN_PAYMENT_STATUSES, type PaymentStatus } from './payment-status';

/** The DEVELOPMENT provider's side of a payment: what Stripe's webhook would tell, told at once. */
export const developmentPaymentService = {
  /**
   * The DEVELOPMENT provider's payment of an order: records the `payment_intent.succeeded` event that Stripe would
   * send once the buyer paid, and applies it at once (the order becomes PAID, its emails are queued, OrderUpdates is
   * told), by the same path as a webhook. The event's id is the intent's, so a retry records it once.
   * Returns the outcome of applying it, or null when there is nothing to pay: no such order, another provider, no
   * intent yet, or a payment no longer open (an order that ended unpaid had its intent cancelled).
   */
  async confirm(scope: ServiceScope, orderId: string): Promise<string | null> {
    const now = scope.clock.now();
    const [payment] = await runSql<{ provider: PaymentProvider; provider_reference: string | null; amount: number; currency: string; status: PaymentStatus }>(
      scope.em,
      'select provider, provider_reference, amount, currency, status from payment where order_id = ?',
      [orderId],
    );
    if (payment?.provider !== PaymentProvider.DEVELOPMENT || !payment.provider_reference || !OPEN_PAYMENT_STATUSES.includes(payment.status)) return null;
    const eventId = `dev_evt_${payment.provider_reference}_succeeded`;
    await paymentEventService.record(
      scope,
      PaymentProvider.DEVELOPMENT,
      {
        id: eventId,
        type: 'payment_intent.succeeded',
        created: Math.floor(now.getTime() / 1000),
        data: {
          object: {
            id: payment.provider_reference,
            object: 'payment_intent',
            amount: payment.amount,
            amount_received: payment.amount,
            currency: payment.currency.toLowerCase(),
            status: 'succeeded',
            metadata: { orderId },
          },
        },
      },
      // Applied here at once, rather than one queue hop later; if the caller dies before, its retry applies it.
      { queue: false },
    );
    return paymentEventService.apply(scope, eventId);
  },
};

export type DevelopmentPaymentService = typeof developmentPaymentService;
