import { registerEnumType } from 'type-graphql';

// A file of its own that imports nothing of the app: other modules read PaymentStatus while they load (the order
// events' zod schema), and the payments module's entry loads it before anything that could lead back to them.

export enum PaymentStatus {
  REQUIRES_PAYMENT = 'REQUIRES_PAYMENT',
  PROCESSING = 'PROCESSING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  REFUNDED = 'REFUNDED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(PaymentStatus, {
  name: 'PaymentStatus',
  description:
    'Where the payment of an order stands: REQUIRES_PAYMENT -> (PROCESSING | FAILED)* -> SUCCEEDED -> REFUNDED; ' +
    'CANCELLED when the order ended before any payment.',
  valuesConfig: {
    REQUIRES_PAYMENT: { description: 'Waiting for the buyer to pay.' },
    PROCESSING: { description: 'The provider is processing the payment (e.g. a bank transfer); no money has moved yet.' },
    SUCCEEDED: { description: 'Paid: the order is PAID.' },
    FAILED: { description: 'The last attempt failed; the buyer may try again while the order holds its stock.' },
    REFUNDED: { description: 'Paid, then refunded in full (see `refundReason`).' },
    CANCELLED: { description: 'The order ended before any payment; nothing will be charged.' },
  },
});

/** Payments not settled yet: the buyer may still pay; an order that ends meanwhile cancels them. */
export const OPEN_PAYMENT_STATUSES: readonly PaymentStatus[] = [PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.PROCESSING, PaymentStatus.FAILED];
