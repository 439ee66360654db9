import type { MikroORM } from '@mikro-orm/postgresql';
import type { TaskList } from 'graphile-worker';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { isId } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import { applyPaymentEvent, recordPaymentEvent } from './payment-events';
import { PAYMENT_TASKS } from './payment-job-names';
import { OPEN_PAYMENT_STATUSES, PaymentProvider, type PaymentStatus } from './payment.entity';
import { paymentService } from './payment.service';
import type { PaymentsRuntime } from './payments-runtime';

export interface PaymentJobDeps {
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
  payments: PaymentsRuntime;
}

function payloadId(task: string, payload: unknown, field: 'orderId' | 'eventId'): string {
  const value = (payload as Record<string, unknown> | null)?.[field];
  if (typeof value !== 'string' || !value || (field === 'orderId' && !isId(value))) throw new Error(`${task}: payload has no valid ${field}`);
  return value;
}

/**
 * The payments module's tasks for graphile-worker. Each is idempotent (delivery is at least once): events are
 * applied once by their row, provider calls carry the order's idempotency keys, and statuses move with
 * conditional updates.
 */
export function paymentTasks(deps: PaymentJobDeps): TaskList {
  const log = deps.logger.child({ component: 'payment-jobs' });
  return {
    [PAYMENT_TASKS.processEvent]: async (payload) => {
      const eventId = payloadId(PAYMENT_TASKS.processEvent, payload, 'eventId');
      const outcome = await applyPaymentEvent(deps.orm.em.fork(), eventId, deps.clock.now());
      log.info({ eventId, outcome }, 'payment event processed');
    },

    [PAYMENT_TASKS.refund]: async (payload) => {
      const orderId = payloadId(PAYMENT_TASKS.refund, payload, 'orderId');
      const outcome = await paymentService.refund(deps.payments, deps.orm.em.fork(), orderId, deps.clock.now());
      if (outcome === 'REFUNDED') log.info({ orderId }, 'payment refunded');
    },

    [PAYMENT_TASKS.cancelIntent]: async (payload) => {
      const orderId = payloadId(PAYMENT_TASKS.cancelIntent, payload, 'orderId');
      await paymentService.cancelIntent(deps.payments, deps.orm.em.fork(), orderId);
    },

    [PAYMENT_TASKS.confirmDevelopmentPayment]: async (payload) => {
      const orderId = payloadId(PAYMENT_TASKS.confirmDevelopmentPayment, payload, 'orderId');
      const em = deps.orm.em.fork();
      const [payment] = await runSql<{ provider: PaymentProvider; provider_reference: string | null; amount: number; currency: string; status: PaymentStatus }>(
        em,
        'select provider, provider_reference, amount, currency, status from payment where order_id = ?',
        [orderId],
      );
      // An order that ended unpaid had its intent cancelled: nobody pays it any more.
      if (payment?.provider !== PaymentProvider.DEVELOPMENT || !payment.provider_reference || !OPEN_PAYMENT_STATUSES.includes(payment.status)) return;
      const now = deps.clock.now();
      // What Stripe would send once the buyer paid; its id is the intent's, so a retried job records it once.
      const eventId = `dev_evt_${payment.provider_reference}_succeeded`;
      await recordPaymentEvent(
        em,
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
        now,
        // Applied here at once, rather than one queue hop later; if this job dies before, its retry applies it.
        { queue: false },
      );
      const outcome = await applyPaymentEvent(em, eventId, deps.clock.now());
      log.info({ eventId, outcome }, 'development payment confirmed');
    },
  };
}
