import type { EntityManager } from '@mikro-orm/postgresql';
import { addJob, addJobSql } from '../../infra/jobs';
import type { SqlFragment } from '../../shared/sql';

/**
 * The payments module's jobs, and how other modules add them (in their own transaction, so that a job exists
 * if and only if its cause committed). The tasks themselves are in payment.jobs.ts.
 */
export const PAYMENT_TASKS = {
  /** Applies one recorded provider event. Payload `{ eventId }`. */
  processEvent: 'process_payment_event',
  /** Refunds a SUCCEEDED payment whose refund is due, then marks it REFUNDED. Payload `{ orderId }`. */
  refund: 'refund_payment',
  /** Cancels the provider's intent of an order that ended unpaid. Payload `{ orderId }`. */
  cancelIntent: 'cancel_payment_intent',
  /** DEVELOPMENT provider: records the `payment_intent.succeeded` event a real provider would send. Payload `{ orderId }`. */
  confirmDevelopmentPayment: 'confirm_development_payment',
} as const;

/** One pending job per order and task: adding it again (a retried transition) replaces it rather than doubling it. */
const keyOf = (task: string, orderId: string) => `${task}:${orderId}`;

export function scheduleRefund(em: EntityManager, orderId: string): Promise<void> {
  return addJob(em, PAYMENT_TASKS.refund, { orderId }, { jobKey: keyOf(PAYMENT_TASKS.refund, orderId) });
}

export function scheduleIntentCancellation(em: EntityManager, orderId: string): Promise<void> {
  // A cancellation is a courtesy (an expired order's intent can no longer be paid); a late payment is refunded anyway.
  return addJob(em, PAYMENT_TASKS.cancelIntent, { orderId }, { jobKey: keyOf(PAYMENT_TASKS.cancelIntent, orderId), maxAttempts: 10 });
}

/** The DEVELOPMENT provider's confirmation job, as an expression: the statement that stores the intent adds it. */
export function developmentConfirmationSql(orderId: string, runAt: Date): SqlFragment {
  return addJobSql(PAYMENT_TASKS.confirmDevelopmentPayment, { orderId }, { runAt, jobKey: keyOf(PAYMENT_TASKS.confirmDevelopmentPayment, orderId) });
}

export function scheduleEventProcessing(em: EntityManager, eventId: string): Promise<void> {
  return addJob(em, PAYMENT_TASKS.processEvent, { eventId });
}
