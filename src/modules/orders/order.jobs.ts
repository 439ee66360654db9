import type { MikroORM } from '@mikro-orm/postgresql';
import type { CronItem, TaskList } from 'graphile-worker';
import { z } from 'zod';
import { defineJob } from '../../infra/jobs';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { idSchema } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import { releaseOrder } from './order-release';
import { AWAITING_PAYMENT, isAwaitingPayment, OrderStatus } from './order-status';

/**
 * Ends one order's reservation when it runs out: scheduled for `runAt: reservedUntil`, in the transaction that
 * reserves (checkout's single write uses `scheduleSql`). One pending job per order.
 */
export const expireOrderJob = defineJob({
  name: 'expire_order',
  payload: z.object({ orderId: idSchema }),
  spec: ({ orderId }) => ({ jobKey: `expire_order:${orderId}` }),
});

/** Every minute (cron): ends any reservation that ran out but whose job is gone (deleted by hand, failed for good). */
export const expireOverdueOrdersJob = defineJob({ name: 'expire_overdue_orders', payload: z.object({}) });

/** Orders the sweep expires per run at most; the next run takes the rest. */
const SWEEP_BATCH = 200;
/** The sweep leaves an order this long past its reservation to its own job, so that it only picks up strays. */
const SWEEP_GRACE_MS = 60_000;

export interface OrderJobDeps {
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
}

export type ExpiryOutcome = 'EXPIRED' | 'NOT_DUE' | 'NOTHING_TO_DO';

/**
 * Expires an order that still awaits payment (PENDING_PAYMENT, or PAYMENT_FAILED) after `reservedUntil`, returning its stock
 * (RESERVATION_RELEASED). Safe to run any number of times, concurrently too: see `releaseOrder`.
 * A job that runs early (clocks apart) schedules itself again for `reservedUntil`.
 */
export async function expireOrder(deps: OrderJobDeps, orderId: string): Promise<ExpiryOutcome> {
  const now = deps.clock.now();
  return deps.orm.em.fork().transactional(async (em) => {
    if (await releaseOrder(em, { orderId, to: OrderStatus.EXPIRED, now })) return 'EXPIRED';
    const [order] = await runSql<{ status: OrderStatus; reserved_until: Date }>(em, 'select status, reserved_until from customer_order where id = ?', [orderId]);
    if (order && isAwaitingPayment(order.status)) {
      await expireOrderJob.schedule(em, { orderId }, { runAt: new Date(order.reserved_until) });
      return 'NOT_DUE';
    }
    return 'NOTHING_TO_DO';
  });
}

/** The orders module's tasks for graphile-worker. */
export function orderTasks(deps: OrderJobDeps): TaskList {
  const log = deps.logger.child({ component: 'order-jobs' });
  return {
    ...expireOrderJob.task(async ({ orderId }) => {
      const outcome = await expireOrder(deps, orderId);
      if (outcome === 'EXPIRED') log.info({ orderId }, 'reservation ran out: order expired, stock returned');
    }),
    ...expireOverdueOrdersJob.task(async () => {
      const overdue = await runSql<{ id: string }>(
        deps.orm.em.fork(),
        'select id from customer_order where status = any(?::order_status[]) and reserved_until <= ? order by reserved_until limit ?',
        [AWAITING_PAYMENT, new Date(deps.clock.now().getTime() - SWEEP_GRACE_MS), SWEEP_BATCH],
      );
      for (const { id } of overdue) await expireOrder(deps, id);
      if (overdue.length) log.warn({ orders: overdue.length }, 'the sweep expired orders that their own job had not');
    }),
  };
}

export const orderCron: CronItem[] = [{ task: expireOverdueOrdersJob.name, match: '* * * * *', identifier: expireOverdueOrdersJob.name }];
