import CircuitBreaker from 'opossum';
import Stripe from 'stripe';
import type { StripeConfig } from '../../config/config';
import type { Logger } from '../../infra/logger';
import { inSpan, SpanKind } from '../../infra/tracing';
import { PaymentProvider } from './payment.entity';
import {
  PaymentProviderUnavailableError,
  type CancelRequest,
  type IntentRequest,
  type PaymentGateway,
  type ProviderIntent,
  type ProviderRefund,
  type RefundRequest,
} from './payment-gateway';

/**
 * The real `stripe` SDK, pointed at `STRIPE_API_URL` when set (a Stripe-compatible server: the tests' fake).
 * The SDK times each attempt out after `timeoutMs` and retries network errors, 409s and 5xx itself, up to
 * `maxNetworkRetries` times, with the idempotency key that we pass.
 */
export function createStripeClient(config: StripeConfig): Stripe {
  const target = config.apiUrl ? new URL(config.apiUrl) : null;
  return new Stripe(config.secretKey, {
    maxNetworkRetries: config.maxNetworkRetries,
    timeout: config.timeoutMs,
    appInfo: { name: 'Atelier' },
    ...(target
      ? {
          host: target.hostname,
          port: target.port || (target.protocol === 'https:' ? 443 : 80),
          protocol: target.protocol === 'https:' ? ('https' as const) : ('http' as const),
        }
      : {}),
  });
}

/**
 * Whether an error says Stripe is unwell (so the breaker should count it) rather than that our request was
 * wrong: connection failures and timeouts (StripeConnectionError), rate limiting, and StripeAPIError, which the
 * SDK raises for 5xx and for 409 (an idempotent request still running).
 */
export function isStripeOutage(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeAPIError
  );
}

export interface StripeGatewayOptions {
  config: StripeConfig;
  logger: Logger;
  /** Told when the breaker opens or closes (metrics). */
  onCircuitChange?: (state: 'open' | 'half-open' | 'closed') => void;
}

/**
 * Stripe behind a circuit breaker (opossum). While Stripe keeps failing (at least half of the last calls in
 * 10 s, 3 calls or more), the breaker opens: calls fail at once with {@link PaymentProviderUnavailableError}
 * instead of each waiting for its timeouts, and checkouts keep answering. After `circuitResetMs` one call is let
 * through; its success closes the breaker. Errors that are our request's fault do not count.
 */
export function createStripeGateway(options: StripeGatewayOptions): PaymentGateway & { readonly circuit: CircuitBreaker } {
  const { config } = options;
  const log = options.logger.child({ component: 'stripe' });
  const stripe = createStripeClient(config);
  const circuit = new CircuitBreaker(<T>(call: () => Promise<T>) => call(), {
    // The SDK bounds each attempt; this bounds the whole call, its retries and their back-off included.
    timeout: config.timeoutMs * (config.maxNetworkRetries + 1) + 5_000,
    errorThresholdPercentage: 50,
    volumeThreshold: 3,
    rollingCountTimeout: 10_000,
    resetTimeout: config.circuitResetMs,
    errorFilter: (error: unknown) => !isStripeOutage(error),
  });
  circuit.on('open', () => {
    log.error({ resetMs: config.circuitResetMs }, 'Stripe keeps failing: circuit open, payment calls fail fast');
    options.onCircuitChange?.('open');
  });
  circuit.on('halfOpen', () => {
    log.warn('circuit half open: trying Stripe again');
    options.onCircuitChange?.('half-open');
  });
  circuit.on('close', () => {
    log.info('Stripe answers again: circuit closed');
    options.onCircuitChange?.('closed');
  });

  /** One Stripe call through the breaker, in a span `stripe <operation>` (its HTTP attempts, retries included, inside). */
  async function call<T>(operation: string, what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await inSpan(`stripe ${operation}`, { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'stripe', 'rpc.method': operation } }, async () => (await circuit.fire(request)) as T);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EOPENBREAKER') throw new PaymentProviderUnavailableError(`Stripe is unavailable (circuit open): ${what} not attempted`);
      if (code === 'ETIMEDOUT' || isStripeOutage(error)) {
        throw new PaymentProviderUnavailableError(`Stripe is unavailable: ${what} failed (${(error as Error).message})`, { cause: error });
      }
      throw error;
    }
  }

  return {
    provider: PaymentProvider.STRIPE,
    circuit,

    async createIntent(request: IntentRequest): Promise<ProviderIntent> {
      const intent = await call('paymentIntents.create', 'creating a PaymentIntent', () =>
        stripe.paymentIntents.create(
          {
            amount: request.amount,
            // Stripe counts in the same minor unit as we do, zero-decimal currencies (JPY) included.
            currency: request.currency.toLowerCase(),
            automatic_payment_methods: { enabled: true },
            description: `Atelier order ${request.orderNumber}`,
            metadata: { orderId: request.orderId, orderNumber: request.orderNumber },
          },
          { idempotencyKey: request.idempotencyKey },
        ),
      );
      if (!intent.client_secret) throw new Error(`Stripe returned PaymentIntent ${intent.id} without a client secret`);
      return { reference: intent.id, clientSecret: intent.client_secret };
    },

    async refund(request: RefundRequest): Promise<ProviderRefund> {
      try {
        const refund = await call('refunds.create', 'refunding', () =>
          stripe.refunds.create({ payment_intent: request.reference, amount: request.amount }, { idempotencyKey: request.idempotencyKey }),
        );
        return { refundId: refund.id };
      } catch (error) {
        // Refunded already (from Stripe's dashboard, or by a key that expired after 24 h): the money is back.
        if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'charge_already_refunded') {
          return { refundId: 'already-refunded' };
        }
        throw error;
      }
    },

    async cancelIntent(request: CancelRequest): Promise<void> {
      try {
        await call('paymentIntents.cancel', 'cancelling a PaymentIntent', () =>
          stripe.paymentIntents.cancel(request.reference, {}, { idempotencyKey: request.idempotencyKey }),
        );
      } catch (error) {
        // Succeeded meanwhile (its webhook refunds it) or cancelled already: nothing left to cancel.
        if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'payment_intent_unexpected_state') return;
        throw error;
      }
    },
  };
}
