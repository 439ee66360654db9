import { randomBytes } from 'node:crypto';
import { PaymentProvider } from './payment.entity';
import type { CancelRequest, IntentRequest, PaymentGateway, ProviderIntent, ProviderRefund, RefundRequest } from './payment-gateway';

/**
 * The offline provider of the embedded default (no STRIPE_SECRET_KEY, never in production). It takes no money:
 * its intents are ids of our own, and each is confirmed by the `confirm_development_payment` job, which records
 * a `payment_intent.succeeded` event exactly as a Stripe webhook would (see payment.jobs.ts). So the whole
 * asynchronous path, queue and OrderUpdates included, runs on a laptop with nothing else installed.
 */
export function createDevelopmentGateway(): PaymentGateway {
  return {
    provider: PaymentProvider.DEVELOPMENT,

    async createIntent(request: IntentRequest): Promise<ProviderIntent> {
      // One intent per order, whatever the retries: its id is derived from the order.
      const reference = `dev_pi_${request.orderId.replaceAll('-', '')}`;
      return { reference, clientSecret: `${reference}_secret_${randomBytes(12).toString('hex')}` };
    },

    async refund(request: RefundRequest): Promise<ProviderRefund> {
      return { refundId: `dev_re_${request.reference.slice('dev_pi_'.length)}` };
    },

    async cancelIntent(_request: CancelRequest): Promise<void> {},
  };
}
