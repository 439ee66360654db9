import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../src/infra/logger';
import type { JobRunner } from '../../../src/infra/jobs';
import { orderExpiryService } from '../../../src/modules/orders/order-expiry.service';
import { expireOrderJob, expireOverdueOrdersJob } from '../../../src/modules/orders/order-job-names';
import { orderTasks } from '../../../src/modules/orders/order.jobs';
import { systemScope, type SystemScopeDeps } from '../../../src/modules/service-scope';
import { systemClock } from '../../../src/shared/clock';
import { runSql } from '../../../src/shared/sql';
import { createWorkerServices, startWorker } from '../../../src/worker';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AddToCartDocument, CheckoutDocument, OrderDocument } from '../../generated/graphql';
import { createUser } from '../../utils/buyers';
import { availableOf, ledgerProblems, movementsOf } from '../../utils/ledger';
import { dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

/** 0.02 minutes: reservations run out 1.2 s after checkout. */
const RESERVATION_MINUTES = '0.02';

describe('reservations that run out, and the job queue', () => {
  let server: TestServer;
  let shop: TestShop;
  const logger = createLogger('silent');

  beforeAll(async () => {
    server = await startTestServer({ RESERVATION_MINUTES, WORKER_CONCURRENCY: '2' });
    shop = await createShop(server);
  });
  afterAll(() => server?.close());

  const em = () => server.database.orm.em.fork();
  const deps = (): SystemScopeDeps => ({ orm: server.database.orm, clock: systemClock, logger });
  /** What the `expire_order` job does, as the system, in a scope of its own. */
  const expireOrder = (scopeDeps: SystemScopeDeps, orderId: string) => orderExpiryService.expire(systemScope(scopeDeps, 'order-jobs'), orderId);

  async function placeOrder(stock = 10, quantity = 2) {
    const buyer = await createUser(server);
    const [productId] = await createProducts(server, shop, [{ stock }]);
    dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId: productId!, quantity }));
    const order = dataOf(await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: 'k', shippingAddress: ADDRESS } })).checkout;
    return { buyer, productId: productId!, order };
  }
  const jobsOf = (orderId: string) =>
    runSql<{ id: string; attempts: number; last_error: string | null; locked_at: Date | null }>(
      em(),
      // The `jobs` view has no payload: the private table has. Only expiries: payments add jobs of their own.
      `select j.id, j.attempts, j.last_error, j.locked_at from graphile_worker._private_jobs j
         join graphile_worker._private_tasks t on t.id = j.task_id
        where j.payload->>'orderId' = ? and t.identifier like 'expire%'`,
      [orderId],
    );

  it('should expire an order still awaiting payment once its reservation runs out, returning its stock (RESERVATION_RELEASED)', async () => {
    const { buyer, productId, order } = await placeOrder(10, 2);
    expect(new Date(order.reservedUntil as string).getTime() - Date.now()).toBeLessThan(1_300);
    expect(await availableOf(em(), productId)).toBe(8);

    await waitFor(async () => dataOf(await sendAs(server.graphqlUrl, buyer.token, OrderDocument, { id: order.id })).order.status === 'EXPIRED', 10_000);

    expect(await availableOf(em(), productId)).toBe(10);
    expect((await movementsOf(em(), productId)).map((m) => [m.reason, m.delta])).toEqual([
      ['SALE', -2],
      ['RESERVATION_RELEASED', 2],
    ]);
    expect(dataOf(await sendAs(server.graphqlUrl, buyer.token, OrderDocument, { id: order.id })).order.payment.status).toBe('CANCELLED');
    await waitFor(async () => (await jobsOf(order.id)).length === 0, 5_000);
    expect(await ledgerProblems(em())).toEqual([]);
  });

  it('should return the stock once when the expiry job runs many times and two worker pools race', async () => {
    const services = createWorkerServices({ config: server.config, orm: server.database.orm, logger });
    const second: JobRunner = await startWorker({
      services,
      databaseUrl: server.database.url,
      orm: server.database.orm,
      logger,
      clock: systemClock,
      concurrency: 3,
      heartbeatMs: server.config.jobs.heartbeatMs,
      retention: server.config.retention,
    });
    try {
      const { productId, order } = await placeOrder(10, 4);
      // Six more jobs for the same order, each with a job key of its own, so that nothing folds them into one.
      for (let i = 0; i < 6; i++) {
        await expireOrderJob.schedule(em(), { orderId: order.id }, { runAt: new Date(order.reservedUntil as string), jobKey: `expire_order:${order.id}:copy-${i}` });
      }
      await waitFor(async () => (await jobsOf(order.id)).length === 0, 15_000);
      // And by hand, concurrently, for good measure.
      const outcomes = await Promise.all(Array.from({ length: 4 }, () => expireOrder(deps(), order.id)));
      expect(outcomes).toEqual(['NOTHING_TO_DO', 'NOTHING_TO_DO', 'NOTHING_TO_DO', 'NOTHING_TO_DO']);

      expect((await movementsOf(em(), productId)).map((m) => [m.reason, m.delta])).toEqual([
        ['SALE', -4],
        ['RESERVATION_RELEASED', 4],
      ]);
      expect(await availableOf(em(), productId)).toBe(10);
      expect(await ledgerProblems(em())).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  it('should release exactly once when expiries race each other directly', async () => {
    const { productId, order } = await placeOrder(5, 5);
    await waitFor(async () => Date.now() > new Date(order.reservedUntil as string).getTime(), 5_000);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => expireOrder(deps(), order.id)));
    expect(outcomes.filter((outcome) => outcome === 'EXPIRED').length).toBeLessThanOrEqual(1);
    await waitFor(async () => (await availableOf(em(), productId)) === 5, 10_000);
    expect((await movementsOf(em(), productId)).filter((m) => m.reason === 'RESERVATION_RELEASED')).toHaveLength(1);
  });

  it('should not end a reservation early: a job that runs before reservedUntil schedules itself again', async () => {
    const { productId, order } = await placeOrder(3, 1);
    const early = { ...deps(), clock: { now: () => new Date(new Date(order.reservedUntil as string).getTime() - 60_000) } };
    expect(await expireOrder(early, order.id)).toBe('NOT_DUE');
    const [row] = await runSql<{ status: string }>(em(), 'select status from customer_order where id = ?', [order.id]);
    expect(row?.status).toBe('PENDING_PAYMENT');
    // It still expires on time.
    await waitFor(async () => (await availableOf(em(), productId)) === 3, 10_000);
  });

  it('should refuse to schedule a malformed payload, and fail for good at its first attempt a job whose payload is malformed', async () => {
    const orderId = 'not-an-order-id';
    await expect(expireOrderJob.schedule(em(), { orderId })).rejects.toThrow(/expire_order: cannot schedule a malformed payload \(orderId: invalid_format\)/);
    // What an older release, or a hand-written add_job, may have left in the queue (25 attempts by default).
    await runSql(em(), `select graphile_worker.add_job('expire_order', json_build_object('orderId', ?::text))`, [orderId]);
    // graphile-worker counts an attempt when it takes the job: done means counted and unlocked again.
    await waitFor(async () => (await jobsOf(orderId)).some((job) => job.attempts === 1 && job.locked_at === null), 10_000, 'the first attempt to fail');
    const failedJob = () =>
      runSql<{ attempts: number; max_attempts: number; last_error: string; locked_at: Date | null }>(
        em(),
        `select attempts, max_attempts, last_error, locked_at from graphile_worker._private_jobs where payload->>'orderId' = ?`,
        [orderId],
      );
    const [failed] = await failedJob();
    expect(failed).toMatchObject({ attempts: 1, max_attempts: 1, locked_at: null });
    expect(failed!.last_error).toBe('expire_order: malformed payload (orderId: invalid_format): failed for good, never retried');

    // Due again, it is still never taken: a valid job added after it runs, and the malformed one keeps its one attempt.
    await runSql(em(), `update graphile_worker._private_jobs set run_at = now() - interval '1 minute' where payload->>'orderId' = ?`, [orderId]);
    const { order } = await placeOrder(2, 1);
    await expireOrderJob.schedule(em(), { orderId: order.id });
    await waitFor(async () => (await jobsOf(order.id)).length === 0, 10_000, 'the valid job to run');
    expect((await failedJob())[0]).toMatchObject({ attempts: 1, max_attempts: 1 });
  });

  it('should have the sweep expire an overdue order whose own job is gone', async () => {
    const { productId, order } = await placeOrder(6, 6);
    await runSql(em(), `delete from graphile_worker._private_jobs where key = ?`, [`expire_order:${order.id}`]);
    const later = { ...deps(), clock: { now: () => new Date(Date.now() + 5 * 60_000) } };
    await orderTasks({ ...later, services: { orderExpiryService } })[expireOverdueOrdersJob.name]!({}, { job: { id: 'sweep' } } as never);
    expect(await availableOf(em(), productId)).toBe(6);
    const [row] = await runSql<{ status: string }>(em(), 'select status from customer_order where id = ?', [order.id]);
    expect(row?.status).toBe('EXPIRED');
    expect(await ledgerProblems(em())).toEqual([]);
  });
});
