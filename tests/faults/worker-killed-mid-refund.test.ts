import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/infra/logger';
import { paymentEventService } from '../../src/modules/payments/payment-events';
import { systemScope } from '../../src/modules/service-scope';
import { systemClock } from '../../src/shared/clock';
import { runSql } from '../../src/shared/sql';
import { createShop, type TestShop } from '../fixtures/shops';
import { startFakeStripe, type FakeStripe } from '../utils/fake-stripe';
import { availableOf } from '../utils/ledger';
import { dataOf, sendAs } from '../utils/operations';
import { CancelOrderWithPaymentDocument, fakeStripeEnv, paymentView, placeOrder, providerReferenceOf } from '../utils/payments';
import { spawnChild, type ChildServer } from '../utils/processes';
import { startTestServer, type TestServer } from '../utils/test-server';
import { waitFor } from '../utils/wait';

const HEARTBEAT_MS = '200';

describe('a worker process killed in the middle of a refund', () => {
  let fake: FakeStripe;
  let server: TestServer;
  let shop: TestShop;
  const workers: ChildServer[] = [];

  beforeAll(async () => {
    fake = await startFakeStripe();
    // The API runs no worker: the workers below are separate processes, as `npm run worker` runs them.
    server = await startTestServer(fakeStripeEnv(fake, { RUN_WORKER: 'false', STRIPE_TIMEOUT_MS: '300', STRIPE_MAX_NETWORK_RETRIES: '0' }));
    fake.setWebhookUrl(`${server.baseUrl}/webhooks/stripe`);
    shop = await createShop(server);
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.crash()));
    fake?.release();
    await server?.close();
    await fake?.stop();
  });

  /** `npm run worker`'s compiled entry, on the test's database and the fake Stripe, with a patient Stripe client. */
  async function startWorkerProcess(): Promise<ChildServer> {
    const worker = await spawnChild(
      'dist/scripts/worker.js',
      fakeStripeEnv(fake, {
        NODE_ENV: 'test',
        DATABASE_URL: server.database.url,
        JWT_SECRET: 'test-secret-of-at-least-thirty-two-characters',
        STRIPE_TIMEOUT_MS: '60000',
        WORKER_HEARTBEAT_MS: HEARTBEAT_MS,
        LOG_LEVEL: 'info',
      }),
      { http: false },
    );
    workers.push(worker);
    return worker;
  }

  const refundJobs = (orderId: string) =>
    runSql<{ attempts: number; locked_by: string | null }>(
      server.database.orm.em.fork(),
      `select j.attempts, j.locked_by from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        where t.identifier = 'refund_payment' and j.payload->>'orderId' = ?`,
      [orderId],
    );

  it('should finish the refund after a restart, with one refund at Stripe', async () => {
    const placed = await placeOrder(server, shop, { stock: 5, quantity: 2 });
    const intentId = (await providerReferenceOf(server, placed.order.id))!;
    // Paid: the webhook is recorded by the API, and applied here as its job would (no worker runs yet).
    expect(await fake.deliver(fake.succeed(intentId))).toEqual([200]);
    const [event] = await runSql<{ id: string }>(server.database.orm.em.fork(), 'select id from payment_event where type = ? and payload @> ?::jsonb', [
      'payment_intent.succeeded',
      JSON.stringify({ data: { object: { id: intentId } } }),
    ]);
    await paymentEventService.apply(systemScope({ orm: server.database.orm, clock: systemClock, logger: createLogger('silent') }, 'test'), event!.id);
    expect((await paymentView(server, placed)).status).toBe('PAID');

    // The API's own attempt at the refund meets a Stripe error: the cancellation stands, the refund is left to the queue.
    fake.failNext(1, { path: '/v1/refunds' });
    const cancelled = dataOf(await sendAs(server.graphqlUrl, placed.buyer.token, CancelOrderWithPaymentDocument, { id: placed.order.id })).cancelOrder;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', payment: { status: 'SUCCEEDED', refundReason: 'ORDER_CANCELLED' } });
    expect(await availableOf(server.database.orm.em.fork(), placed.productId)).toBe(5);

    // The worker's refund is made at Stripe, but the answer is held: the worker dies waiting for it.
    fake.hang({ path: '/v1/refunds', at: 'response' });
    const first = await startWorkerProcess();
    await fake.whenHung(1);
    expect(fake.refunds().filter((refund) => refund.payment_intent === intentId)).toHaveLength(1);
    expect((await refundJobs(placed.order.id))[0]?.locked_by).toBeTruthy();
    await first.crash();
    fake.release();

    // A new worker process declares the dead one's jobs free and runs the refund again, with the same key.
    const second = await startWorkerProcess();
    await waitFor(async () => (await paymentView(server, placed)).payment.status === 'REFUNDED', 20_000, `the refund after restart:\n${second.output()}`);
    expect(fake.refunds().filter((refund) => refund.payment_intent === intentId)).toHaveLength(1);
    const attempts = fake.requests().filter((request) => request.path === '/v1/refunds' && request.idempotencyKey === `atelier:order:${placed.order.id}:refund`);
    expect(attempts.map((request) => request.replayed)).toEqual([false, false, true]);
    // The job is deleted by the worker just after the task's transaction commits (REFUNDED): wait for it to go.
    await waitFor(async () => (await refundJobs(placed.order.id)).length === 0, 10_000, 'the refund job to complete');
    expect(await refundJobs(placed.order.id)).toEqual([]);
  });
});
