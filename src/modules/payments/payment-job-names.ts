import { z } from 'zod';
import { defineJob, type JobSpec } from '../../infra/jobs';
import { idSchema } from '../../shared/ids';

/**
 * The payments module's jobs, and how other modules add them (in their own transaction, so that a job exists
 * if and only if its cause committed). Their handlers are attached in payment.jobs.ts: a module that adds a job
 * does not import what runs it.
 */

const orderPayload = z.object({ orderId: idSchema });

/** One pending job per order and task: adding it again (a retried transition) replaces it rather than doubling it. */
const onePerOrder =
  (task: string, spec: JobSpec = {}) =>
  ({ orderId }: z.output<typeof orderPayload>): JobSpec => ({ jobKey: `${task}:${orderId}`, ...spec });

/** Applies one recorded provider event (its `payment_event` id, the provider's event id). */
export const processPaymentEventJob = defineJob({ name: 'process_payment_event', payload: z.object({ eventId: z.string().min(1) }) });

/** Refunds a SUCCEEDED payment whose refund is due, then marks it REFUNDED. */
export const refundPaymentJob = defineJob({ name: 'refund_payment', payload: orderPayload, spec: onePerOrder('refund_payment') });

/**
 * Cancels the provider's intent of an order that ended unpaid. A cancellation is a courtesy (an expired order's
 * intent can no longer be paid; a late payment is refunded anyway): 10 attempts.
 */
export const cancelPaymentIntentJob = defineJob({
  name: 'cancel_payment_intent',
  payload: orderPayload,
  spec: onePerOrder('cancel_payment_intent', { maxAttempts: 10 }),
});

/**
 * DEVELOPMENT provider: records the `payment_intent.succeeded` event a real provider would send. Added with
 * `scheduleSql` by the statement that stores the intent, `runAt` the confirmation delay later.
 */
export const confirmDevelopmentPaymentJob = defineJob({
  name: 'confirm_development_payment',
  payload: orderPayload,
  spec: onePerOrder('confirm_development_payment'),
});
