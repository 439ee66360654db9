import { registerEnumType } from 'type-graphql';

/**
 * Where an order stands. PENDING_PAYMENT and PAYMENT_FAILED hold reserved stock until `reservedUntil` (a failed
 * payment may be tried again meanwhile); PAID holds sold stock, which a cancellation returns with a refund.
 */
export enum OrderStatus {
  PENDING_PAYMENT = 'PENDING_PAYMENT',
  PAID = 'PAID',
  FULFILLED = 'FULFILLED',
  CANCELLED = 'CANCELLED',
  EXPIRED = 'EXPIRED',
  PAYMENT_FAILED = 'PAYMENT_FAILED',
}
registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  description:
    'PENDING_PAYMENT -> PAID -> FULFILLED, or CANCELLED / EXPIRED / PAYMENT_FAILED. A PAYMENT_FAILED order keeps its stock ' +
    'until reservedUntil and may still be paid (-> PAID) or expire; a PAID order may be cancelled, which refunds it.',
  valuesConfig: {
    PENDING_PAYMENT: { description: 'Created by checkout; its stock is reserved until `reservedUntil`.' },
    PAID: { description: "The provider confirmed the payment (a webhook, or the DEVELOPMENT provider's job)." },
    FULFILLED: { description: 'Every shop in the order shipped its part (see `shipments`).' },
    CANCELLED: { description: 'Cancelled by its buyer or an admin: its stock came back (CANCELLATION), and a payment made was refunded.' },
    EXPIRED: { description: 'Not paid in time: its stock came back (RESERVATION_RELEASED).' },
    PAYMENT_FAILED: { description: 'The last payment attempt failed; the buyer may try again until `reservedUntil`, then it EXPIRES.' },
  },
});

/** Orders that hold reserved stock and may still be paid: the ones an expiry ends. */
export const AWAITING_PAYMENT: readonly OrderStatus[] = [OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_FAILED];

export function isAwaitingPayment(status: OrderStatus): boolean {
  return AWAITING_PAYMENT.includes(status);
}
