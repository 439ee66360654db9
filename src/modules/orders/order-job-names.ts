import type { CronItem } from 'graphile-worker';
import { z } from 'zod';
import { defineJob } from '../../infra/jobs';
import { idSchema } from '../../shared/ids';

/**
 * The orders module's jobs, as those that add them see them (checkout, the expiry itself). Their handlers are
 * attached in order.jobs.ts, which calls the services as the system: a file that adds a job does not import what runs it.
 */

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

export const orderCron: CronItem[] = [{ task: expireOverdueOrdersJob.name, match: '* * * * *', identifier: expireOverdueOrdersJob.name }];
