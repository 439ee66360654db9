import type { MikroORM } from '@mikro-orm/postgresql';
import type { TaskList } from 'graphile-worker';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { isId } from '../../shared/ids';
import { confirmDevelopmentPayment } from './development-payment';
import { applyPaymentEvent } from './payment-events';
import { PAYMENT_TASKS } from './payment-job-names';
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
      const outcome = await confirmDevelopmentPayment(deps.orm.em.fork(), orderId, deps.clock.now());
      if (outcome !== null) log.info({ orderId, outcome }, 'development payment confirmed');
    },
  };
}
