import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { CronItem, TaskList } from 'graphile-worker';
import { addJob, addJobSql, type JobSpec } from '../../infra/jobs';
import type { Logger } from '../../infra/logger';
import type { Clock } from '../../shared/clock';
import { isId } from '../../shared/ids';
import { runSql, type SqlFragment } from '../../shared/sql';
import { releaseOrder } from './order-release';
import { AWAITING_PAYMENT, isAwaitingPayment, OrderStatus } from './order-status';

/** Ends one order's reservation when it runs out. Payload `{ orderId }`. */
export const EXPIRE_ORDER_TASK = 'expire_order';
/** Every minute: ends any reservation that ran out but whose job is gone (deleted by hand, failed for good). */
export const EXPIRE_OVERDUE_ORDERS_TASK = 'expire_overdue_orders';

/** Orders the sweep expires per run at most; the next run takes the rest. */
const SWEEP_BATCH = 200;
/** The sweep leaves an order this long past its reservation to its own job, so that it only picks up strays. */
const SWEEP_GRACE_MS = 60_000;

export interface OrderJobDeps {
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
}

/** Schedules the expiry of an order at `reservedUntil`, in the caller's transaction (one pending job per order). */
export function scheduleExpiry(em: EntityManager, orderId: string, reservedUntil: Date): Promise<void> {
  return addJob(em, EXPIRE_ORDER_TASK, { orderId }, expirySpec(orderId, reservedUntil));
}

/** {@link scheduleExpiry} as an expression, for checkout's single write statement. */
export function expiryJobSql(orderId: string, reservedUntil: Date): SqlFragment {
  return addJobSql(EXPIRE_ORDER_TASK, { orderId }, expirySpec(orderId, reservedUntil));
}

function expirySpec(orderId: string, reservedUntil: Date): JobSpec {
  return { runAt: reservedUntil, jobKey: `${EXPIRE_ORDER_TASK}:${orderId}` };
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
      await scheduleExpiry(em, orderId, new Date(order.reserved_until));
      return 'NOT_DUE';
    }
    return 'NOTHING_TO_DO';
  });
}

/** The orders module's tasks for graphile-worker. */
export function orderTasks(deps: OrderJobDeps): TaskList {
  const log = deps.logger.child({ component: 'order-jobs' });
  return {
    [EXPIRE_ORDER_TASK]: async (payload) => {
      const orderId = (payload as { orderId?: unknown } | null)?.orderId;
      if (typeof orderId !== 'string' || !isId(orderId)) throw new Error(`${EXPIRE_ORDER_TASK}: payload has no valid orderId`);
      const outcome = await expireOrder(deps, orderId);
      if (outcome === 'EXPIRED') log.info({ orderId }, 'reservation ran out: order expired, stock returned');
    },
    [EXPIRE_OVERDUE_ORDERS_TASK]: async () => {
      const overdue = await runSql<{ id: string }>(
        deps.orm.em.fork(),
        'select id from customer_order where status = any(?::order_status[]) and reserved_until <= ? order by reserved_until limit ?',
        [AWAITING_PAYMENT, new Date(deps.clock.now().getTime() - SWEEP_GRACE_MS), SWEEP_BATCH],
      );
      for (const { id } of overdue) await expireOrder(deps, id);
      if (overdue.length) log.warn({ orders: overdue.length }, 'the sweep expired orders that their own job had not');
    },
  };
}

export const orderCron: CronItem[] = [{ task: EXPIRE_OVERDUE_ORDERS_TASK, match: '* * * * *', identifier: EXPIRE_OVERDUE_ORDERS_TASK }];
