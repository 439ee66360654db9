import type { MikroORM } from '@mikro-orm/postgresql';
import type { TaskList } from 'graphile-worker';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { confirmDevelopmentPayment } from './development-payment';
import { applyPaymentEvent } from './payment-events';
import { cancelPaymentIntentJob, confirmDevelopmentPaymentJob, processPaymentEventJob, refundPaymentJob } from './payment-job-names';
import { paymentService } from './payment.service';
import type { PaymentsRuntime } from './payments-runtime';

export interface PaymentJobDeps {
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
  payments: PaymentsRuntime;
}

/**
 * The payments module's tasks for graphile-worker. Each is idempotent (delivery is at least once): events are
 * applied once by their row, provider calls carry the order's idempotency keys, and statuses move with
 * conditional updates.
 */
export function paymentTasks(deps: PaymentJobDeps): TaskList {
  const log = deps.logger.child({ component: 'payment-jobs' });
  return {
    ...processPaymentEventJob.task(async ({ eventId }) => {
      const outcome = await applyPaymentEvent(deps.orm.em.fork(), eventId, deps.clock.now());
      log.info({ eventId, outcome }, 'payment event processed');
    }),

    ...refundPaymentJob.task(async ({ orderId }) => {
      const outcome = await paymentService.refund(deps.payments, deps.orm.em.fork(), orderId, deps.clock.now());
      if (outcome === 'REFUNDED') log.info({ orderId }, 'payment refunded');
    }),

    ...cancelPaymentIntentJob.task(async ({ orderId }) => {
      await paymentService.cancelIntent(deps.payments, deps.orm.em.fork(), orderId);
    }),

    ...confirmDevelopmentPaymentJob.task(async ({ orderId }) => {
      const outcome = await confirmDevelopmentPayment(deps.orm.em.fork(), orderId, deps.clock.now());
      if (outcome !== null) log.info({ orderId, outcome }, 'development payment confirmed');
    }),
  };
}
