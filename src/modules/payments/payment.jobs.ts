import type { MikroORM } from '@mikro-orm/postgresql';
import type { TaskList } from 'graphile-worker';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { systemScope } from '../service-scope';
import type { DevelopmentPaymentService } from './development-payment';
import type { PaymentEventService } from './payment-events';
import { cancelPaymentIntentJob, confirmDevelopmentPaymentJob, processPaymentEventJob, refundPaymentJob } from './payment-job-names';
import type { PaymentService } from './payment.service';

export interface PaymentJobDeps {
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
  /** The app's services: the tasks call the same methods as the API, as the system (`payment-jobs`). */
  services: { paymentService: PaymentService; paymentEventService: PaymentEventService; developmentPaymentService: DevelopmentPaymentService };
}

/** What the payments' jobs act as: their scopes' actor, and their log lines' `actor`. */
const ACTOR = 'payment-jobs';

/**
 * The payments module's tasks for graphile-worker. Each is idempotent (delivery is at least once): events are
 * applied once by their row, provider calls carry the order's idempotency keys, and statuses move with
 * conditional updates. Each job runs in a system scope of its own, named by the job's id.
 */
export function paymentTasks(deps: PaymentJobDeps): TaskList {
  const { paymentService, paymentEventService, developmentPaymentService } = deps.services;
  const scopeOf = (jobId: string) => systemScope(deps, ACTOR, `job:${jobId}`);
  return {
    ...processPaymentEventJob.task(async ({ eventId }, { job }) => {
      const scope = scopeOf(job.id);
      const outcome = await paymentEventService.apply(scope, eventId);
      scope.logger.info({ eventId, outcome }, 'payment event processed');
    }),

    ...refundPaymentJob.task(async ({ orderId }, { job }) => {
      const scope = scopeOf(job.id);
      const outcome = await paymentService.refund(scope, orderId);
      if (outcome === 'REFUNDED') scope.logger.info({ orderId }, 'payment refunded');
    }),

    ...cancelPaymentIntentJob.task(async ({ orderId }, { job }) => {
      await paymentService.cancelIntent(scopeOf(job.id), orderId);
    }),

    ...confirmDevelopmentPaymentJob.task(async ({ orderId }, { job }) => {
      const scope = scopeOf(job.id);
      const outcome = await developmentPaymentService.confirm(scope, orderId);
      if (outcome !== null) scope.logger.info({ orderId, outcome }, 'development payment confirmed');
    }),
  };
}
