import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { applyPaymentEvent } from '../../../src/modules/payments/payment-events';
import { runSql } from '../../../src/shared/sql';
import { createShop, type TestShop } from '../../fixtures/shops';
import { repoRoot } from '../../utils/build';
import { startFakeStripe, type FakeStripe } from '../../utils/fake-stripe';
import { availableOf } from '../../utils/ledger';
import { dataOf, sendAs } from '../../utils/operations';
import { CancelOrderWithPaymentDocument, paymentView, placeOrder, providerReferenceOf } from '../../utils/payments';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

const HEARTBEAT_MS = '200';

describe('a worker process killed in the middle of a refund', () => {
  let fake: FakeStripe;
  let server: TestServer;
  let shop: TestShop;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    fake = await startFakeStripe();
    // The API runs no worker: the workers below are separate processes, as `npm run worker` runs them.
    server = await startTestServer({
      RUN_WORKER: 'false',
      STRIPE_SECRET_KEY: fake.apiKey,
      STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
      STRIPE_API_URL: fake.url,
      STRIPE_TIMEOUT_MS: '300',
      STRIPE_MAX_NETWORK_RETRIES: '0',
    });
    fake.setWebhookUrl(`${server.baseUrl}/webhooks/stripe`);
    shop = await createShop(server);
  });
  afterAll(async () => {
    for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    fake?.release();
    await server?.close();
    await fake?.stop();
  });

  /** `npm run worker`'s compiled entry, on the test's database and the fake Stripe, with a patient Stripe client. */
  function startWorkerProcess(): { child: ChildProcess; output: () => string } {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'scripts', 'worker.js')], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        DATABASE_URL: server.database.url,
        JWT_SECRET: 'test-secret-of-at-least-thirty-two-characters',
        STRIPE_SECRET_KEY: fake.apiKey,
        STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
        STRIPE_API_URL: fake.url,
        STRIPE_TIMEOUT_MS: '60000',
        WORKER_HEARTBEAT_MS: HEARTBEAT_MS,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    workers.push(child);
    return { child, output: () => output };
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
    await applyPaymentEvent(server.database.orm.em.fork(), event!.id, new Date());
    expect((await paymentView(server, placed)).status).toBe('PAID');

    // The API's own attempt at the refund meets a Stripe error: the cancellation stands, the refund is left to the queue.
    fake.failNext(1, { path: '/v1/refunds' });
    const cancelled = dataOf(await sendAs(server.graphqlUrl, placed.buyer.token, CancelOrderWithPaymentDocument, { id: placed.order.id })).cancelOrder;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', payment: { status: 'SUCCEEDED', refundReason: 'ORDER_CANCELLED' } });
    expect(await availableOf(server.database.orm.em.fork(), placed.productId)).toBe(5);

    // The worker's refund is made at Stripe, but the answer is held: the worker dies waiting for it.
    fake.hang({ path: '/v1/refunds', at: 'response' });
    const first = startWorkerProcess();
    await fake.whenHung(1);
    expect(fake.refunds().filter((refund) => refund.payment_intent === intentId)).toHaveLength(1);
    expect((await refundJobs(placed.order.id))[0]?.locked_by).toBeTruthy();
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    fake.release();

    // A new worker process declares the dead one's jobs free and runs the refund again, with the same key.
    const second = startWorkerProcess();
    await waitFor(async () => (await paymentView(server, placed)).payment.status === 'REFUNDED', 20_000, `the refund after restart:\n${second.output()}`);
    expect(fake.refunds().filter((refund) => refund.payment_intent === intentId)).toHaveLength(1);
    const attempts = fake.requests().filter((request) => request.path === '/v1/refunds' && request.idempotencyKey === `atelier:order:${placed.order.id}:refund`);
    expect(attempts.map((request) => request.replayed)).toEqual([false, false, true]);
    expect(await refundJobs(placed.order.id)).toEqual([]);
  });
});
