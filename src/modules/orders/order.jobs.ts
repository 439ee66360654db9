import type { MikroORM } from '@mikro-orm/postgresql';
import type { TaskList } from 'graphile-worker';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { systemScope } from '../service-scope';
import type { OrderExpiryService } from './order-expiry.service';
import { expireOrderJob, expireOverdueOrdersJob } from './order-job-names';

export interface OrderJobDeps {
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
  /** The app's services: the tasks call the same methods as the API, as the system (`order-jobs`). */
  services: { orderExpiryService: OrderExpiryService };
}

/** What the orders' jobs act as: their scopes' actor, and their log lines' `actor`. */
const ACTOR = 'order-jobs';

/** The orders module's tasks for graphile-worker: each job runs in a system scope of its own, named by the job's id. */
export function orderTasks(deps: OrderJobDeps): TaskList {
  const { orderExpiryService } = deps.services;
  const scopeOf = (jobId: string) => systemScope(deps, ACTOR, `job:${jobId}`);
  return {
    ...expireOrderJob.task(async ({ orderId }, { job }) => {
      const scope = scopeOf(job.id);
      const outcome = await orderExpiryService.expire(scope, orderId);
      if (outcome === 'EXPIRED') scope.logger.info({ orderId }, 'reservation ran out: order expired, stock returned');
    }),
    ...expireOverdueOrdersJob.task(async (_payload, { job }) => {
      const scope = scopeOf(job.id);
      const expired = await orderExpiryService.expireOverdue(scope);
      if (expired) scope.logger.warn({ orders: expired }, 'the sweep expired orders that their own job had not');
    }),
  };
}
