import { registerEnumType } from 'type-graphql';

/** Where an order stands. Only PENDING_PAYMENT holds reserved stock that may still come back. */
export enum OrderStatus {
  /** Created by checkout; its stock is reserved until `reservedUntil`. */
  PENDING_PAYMENT = 'PENDING_PAYMENT',
  PAID = 'PAID',
  FULFILLED = 'FULFILLED',
  /** Cancelled before payment: its stock came back (CANCELLATION). */
  CANCELLED = 'CANCELLED',
  /** Not paid in time: its stock came back (RESERVATION_RELEASED). */
  EXPIRED = 'EXPIRED',
  PAYMENT_FAILED = 'PAYMENT_FAILED',
}
registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  description: 'PENDING_PAYMENT -> PAID -> FULFILLED, or CANCELLED / EXPIRED / PAYMENT_FAILED.',
});
