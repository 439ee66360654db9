import type { PaymentProvider } from './payment.entity';

/**
 * What Atelier asks of a payment provider. Two implementations: Stripe (`stripe-gateway.ts`) and the offline
 * DEVELOPMENT provider (`development-gateway.ts`). Every call carries an idempotency key derived from the order,
 * so that a retry, a timeout followed by a retry, or two concurrent calls never create a second object.
 * Callers never hold a database transaction open across a call.
 */
export interface PaymentGateway {
  readonly provider: PaymentProvider;
  /** Creates (or, for a key already used, returns) the intent to pay `amount` of `currency`. */
  createIntent(request: IntentRequest): Promise<ProviderIntent>;
  /** Refunds the whole amount of a succeeded intent (or returns the refund a key already made). */
  refund(request: RefundRequest): Promise<ProviderRefund>;
  /** Cancels an intent nobody may pay any more; a no-op for one that is already cancelled or succeeded. */
  cancelIntent(request: CancelRequest): Promise<void>;
}

export interface IntentRequest {
  orderId: string;
  orderNumber: string;
  /** In the minor unit of `currency` (cents, yen): exactly the order's total. */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  idempotencyKey: string;
}

export interface ProviderIntent {
  /** The provider's id (a Stripe PaymentIntent id). */
  reference: string;
  /** What the buyer's client needs to complete the payment (Stripe.js `confirmPayment`). */
  clientSecret: string;
}

export interface RefundRequest {
  reference: string;
  amount: number;
  idempotencyKey: string;
}

export interface ProviderRefund {
  refundId: string;
}

export interface CancelRequest {
  reference: string;
  idempotencyKey: string;
}

/**
 * The provider could not be reached or answered with a server error, or the circuit breaker is open because it
 * keeps doing so. Nothing is lost: the payment waits and the call is safe to repeat with the same key.
 */
export class PaymentProviderUnavailableError extends Error {
  override readonly name = 'PaymentProviderUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The idempotency keys of an order's calls: derived from the order alone, so every retry sends the same one. */
export const idempotencyKeys = {
  intent: (orderId: string) => `atelier:order:${orderId}:payment-intent`,
  refund: (orderId: string) => `atelier:order:${orderId}:refund`,
  cancel: (orderId: string) => `atelier:order:${orderId}:cancel-intent`,
};
