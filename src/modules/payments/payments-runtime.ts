import type { Config } from '../../config/config';
import type { Logger } from '../../infra/logger';
import { createDevelopmentGateway } from './development-gateway';
import type { PaymentGateway } from './payment-gateway';
import { PaymentProvider } from './payment.entity';
import { createStripeGateway } from './stripe-gateway';

/** One per process (API or worker): the payment providers, built once from the configuration. */
export interface PaymentsRuntime {
  /** The provider that new checkouts use: Stripe when configured, else DEVELOPMENT. */
  readonly current: PaymentGateway;
  /** The gateway of a payment's own provider (a payment keeps the provider it was created with). */
  gatewayFor(provider: PaymentProvider): PaymentGateway;
  /** DEVELOPMENT provider: how long after checkout its payment is confirmed. */
  readonly developmentConfirmDelayMs: number;
  readonly logger: Logger;
}

export interface PaymentsRuntimeDeps {
  config: Config;
  logger: Logger;
  onCircuitChange?: (state: 'open' | 'half-open' | 'closed') => void;
}

export function createPaymentsRuntime(deps: PaymentsRuntimeDeps): PaymentsRuntime {
  const { payments } = deps.config;
  const logger = deps.logger.child({ component: 'payments' });
  const stripe = payments.stripe ? createStripeGateway({ config: payments.stripe, logger, onCircuitChange: deps.onCircuitChange }) : null;
  const development = createDevelopmentGateway();
  if (!stripe) logger.warn('STRIPE_SECRET_KEY is not set: payments use the DEVELOPMENT provider, which takes no money');
  if (stripe && !payments.webhookSecret) logger.warn('STRIPE_WEBHOOK_SECRET is not set: Stripe payments will never be confirmed');
  return {
    current: stripe ?? development,
    gatewayFor(provider) {
      if (provider === PaymentProvider.DEVELOPMENT) {
        // Config refuses production without Stripe; this refuses a DEVELOPMENT payment found in a production database.
        if (deps.config.isProduction) throw new Error('a DEVELOPMENT payment cannot be handled in production');
        return development;
      }
      if (!stripe) throw new Error('a STRIPE payment needs STRIPE_SECRET_KEY');
      return stripe;
    },
    developmentConfirmDelayMs: payments.developmentConfirmDelayMs,
    logger,
  };
}
