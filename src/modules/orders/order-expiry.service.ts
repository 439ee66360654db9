import type { ServiceScope } from '../service-scope';
import { runSql } from '../../shared/sql';
import { releaseOrder } from './order-release';
import { AWAITING_PAYMENT, isAwaitingPayment, OrderStatus } from './order-status';
import { expireOrderJob } from './order-job-names';

/** Orders the sweep expires per run at most; the next run takes the rest. */
const SWEEP_BATCH = 200;
/** The sweep leaves an order this long past its reservation to its own job, so that it only picks up strays. */
const SWEEP_GRACE_MS = 60_000;

export type ExpiryOutcome = 'EXPIRED' | 'NOT_DUE' | 'NOTHING_TO_DO';

/** Reservations that run out: what the `expire_order` job and the sweep do, as the system (`order-jobs`), at the scope's time. */
export const orderExpiryService = {
  /**
   * Expires an order that still awaits payment (PENDING_PAYMENT, or PAYMENT_FAILED) after `reservedUntil`, returning its stock
   * (RESERVATION_RELEASED). Safe to run any number of times, concurrently too: see `releaseOrder`.
   * A job that runs early (clocks apart) schedules itself again for `reservedUntil`.
   */
  async expire(scope: ServiceScope, orderId: string): Promise<ExpiryOutcome> {
    const now = scope.clock.now();
    return scope.em.transactional(async (em) => {
      if (await releaseOrder(em, { orderId, to: OrderStatus.EXPIRED, now })) return 'EXPIRED';
      const [order] = await runSql<{ status: OrderStatus; reserved_until: Date }>(em, 'select status, reserved_until from customer_order where id = ?', [orderId]);
      if (order && isAwaitingPayment(order.status)) {
        await expireOrderJob.schedule(em, { orderId }, { runAt: new Date(order.reserved_until) });
        return 'NOT_DUE';
      }
      return 'NOTHING_TO_DO';
    });
  },

  /**
   * Expires up to 200 orders whose reservation ran out more than a minute ago (their own job is gone: deleted by
   * hand, failed for good), oldest first. Returns how many it expired.
   */
  async expireOverdue(scope: ServiceScope): Promise<number> {
    const overdue = await runSql<{ id: string }>(
      scope.em,
      'select id from customer_order where status = any(?::order_status[]) and reserved_until <= ? order by reserved_until limit ?',
      [AWAITING_PAYMENT, new Date(scope.clock.now().getTime() - SWEEP_GRACE_MS), SWEEP_BATCH],
    );
    let expired = 0;
    for (const { id } of overdue) if ((await orderExpiryService.expire(scope, id)) === 'EXPIRED') expired++;
    return expired;
  },
};

export type OrderExpiryService = typeof orderExpiryService;
