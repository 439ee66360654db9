import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import Stripe from 'stripe';
import { ORDER_NOTIFY_CHANNEL } from '../../src/modules/orders/order-events';
import type { CommerceServer } from '../lib/harness';
import { log } from '../lib/harness';
import type { Scenario } from '../lib/scenario';
import { contractOperation, post, quantile, seedCheckoutLoad } from './commerce-fixtures';

/** Webhook deliveries in flight at any time, as the issue asks. */
const WEBHOOK_CONCURRENCY = 20;
/** Distinct events delivered; each is delivered twice, so half of the deliveries are duplicates. */
const WEBHOOK_EVENTS = 400;
/** Checkouts of the end-to-end run on the DEVELOPMENT provider, and how many buyers check out at once. */
const E2E_CHECKOUTS = 200;
const E2E_CONCURRENCY = 10;

const SHIPPING = { name: 'Bench', line1: '1 rue', city: 'Lyon', postalCode: '69001', country: 'FR' };

/** Places one order per buyer token (`concurrency` at a time); the orders' ids and client secrets, with each checkout's start. */
async function checkOutAll(server: CommerceServer, tokens: string[], concurrency: number) {
  const checkout = contractOperation('storefront', 'Checkout');
  const orders: { id: string; clientSecret: string | null; startedAt: number }[] = [];
  const queue = [...tokens];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let token = queue.shift(); token !== undefined; token = queue.shift()) {
        const startedAt = performance.now();
        const body = await post(server.graphqlUrl, token, checkout, { input: { idempotencyKey: randomUUID(), shippingAddress: SHIPPING } });
        const order = body.data?.checkout;
        if (body.errors || !order?.id) throw new Error(`Checkout failed: ${JSON.stringify(body.errors)}`);
        orders.push({ id: order.id, clientSecret: order.payment.clientSecret, startedAt });
      }
    }),
  );
  return orders;
}

async function count(db: Client, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Payments: (1) signed Stripe webhooks, `WEBHOOK_CONCURRENCY` deliveries at a time, every event delivered twice
 * (50 % duplicates), against the production server on the fake Stripe: deliveries answered per second, and
 * events applied per second through the queue (each makes an order PAID and queues its emails); every order
 * must end PAID exactly once. (2) From checkout to PAID on the DEVELOPMENT provider (a development-mode server,
 * DEVELOPMENT_PAYMENT_DELAY_MS=0): the time from sending Checkout to the commit of PAID, read from PostgreSQL's
 * own notification of it.
 */
export const paymentsScenario: Scenario = {
  name: 'payments',
  description: 'Stripe webhooks/s (20 concurrent, 50 % duplicates); checkout → PAID on the DEVELOPMENT provider (p50, p99)',
  async run(harness) {
    // (1) Webhooks.
    const server = await harness.commerceServer();
    const seed = await seedCheckoutLoad(server, { products: 20, buyersPerProduct: WEBHOOK_EVENTS / 20, unitsPerProduct: WEBHOOK_EVENTS });
    const db = new Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      log(`payments: ${WEBHOOK_EVENTS} orders paid through Stripe's fake`);
      const orders = await checkOutAll(server, seed.buyersByProduct.flat(), 20);
      const secret = server.stripe.webhookSecret;
      const events = orders.map((order) => server.stripe.succeed(order.clientSecret!.split('_secret_')[0]!));
      const deliveries = [...events, ...events].map((event) => JSON.stringify(event));
      // Duplicates interleaved, not back to back: a deterministic shuffle.
      for (let i = deliveries.length - 1; i > 0; i--) {
        const j = (i * 7919) % (i + 1);
        [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
      }
      const url = `${server.graphqlUrl.replace(/\/graphql$/, '')}/webhooks/stripe`;
      const latencies: number[] = [];
      const cpuBefore = server.cpuSeconds();
      server.counter.reset();
      const started = performance.now();
      const queue = [...deliveries];
      await Promise.all(
        Array.from({ length: WEBHOOK_CONCURRENCY }, async () => {
          for (let payload = queue.shift(); payload !== undefined; payload = queue.shift()) {
            const t0 = performance.now();
            const response = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload, secret }) },
              body: payload,
            });
            if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
            await response.arrayBuffer();
            latencies.push(performance.now() - t0);
          }
        }),
      );
      const answered = performance.now();
      await waitUntil('every event applied', async () => (await count(db, 'select count(*) as n from payment_event where processed_at is null')) === 0, 120_000);
      const applied = performance.now();
      const cpuAfter = server.cpuSeconds();
      const answerSeconds = (answered - started) / 1000;
      harness.record({
        label: `Stripe webhook deliveries (${WEBHOOK_CONCURRENCY} concurrent, 50 % duplicates)`,
        requests: deliveries.length,
        requestsPerSecond: deliveries.length / answerSeconds,
        p50Ms: quantile(latencies, 0.5),
        p99Ms: quantile(latencies, 0.99),
        statementsPerRequest: server.counter.count / deliveries.length,
        statementsOneRequest: NaN,
        serverCpuMsPerRequest: cpuBefore !== undefined && cpuAfter !== undefined ? ((cpuAfter - cpuBefore) * 1000) / deliveries.length : undefined,
      });
      const paid = await count(db, `select count(*) as n from customer_order where status = 'PAID' and id = any($1::uuid[])`, [orders.map((o) => o.id)]);
      const recorded = await count(db, 'select count(*) as n from payment_event');
      const eventsPerSecond = WEBHOOK_EVENTS / ((applied - started) / 1000);
      log(`payments: ${deliveries.length} deliveries answered in ${answerSeconds.toFixed(2)} s; ${WEBHOOK_EVENTS} events applied in ${((applied - started) / 1000).toFixed(2)} s`);
      harness.target({
        name: 'Webhook events applied end to end (recorded, queued, order PAID, emails queued)',
        measured: `${eventsPerSecond.toFixed(0)} events/s (${(deliveries.length / answerSeconds).toFixed(0)} deliveries/s answered)`,
        goal: 'every order PAID once',
        met: paid === WEBHOOK_EVENTS && recorded >= WEBHOOK_EVENTS,
      });
      harness.target({
        name: 'Duplicated deliveries change nothing',
        measured: `${paid} of ${WEBHOOK_EVENTS} orders PAID, ${recorded} events recorded for ${deliveries.length} deliveries`,
        goal: `${WEBHOOK_EVENTS} PAID, one record per event`,
        met: paid === WEBHOOK_EVENTS,
      });
    } finally {
      await db.end();
      await seed.close();
    }

    // (2) Checkout to PAID on the DEVELOPMENT provider.
    const dev = await harness.extraServer('atelier_payments_dev', {
      NODE_ENV: 'development',
      STRIPE_SECRET_KEY: '',
      STRIPE_WEBHOOK_SECRET: '',
      STRIPE_API_URL: '',
      DEVELOPMENT_PAYMENT_DELAY_MS: '0',
    });
    const devSeed = await seedCheckoutLoad(dev, { products: 10, buyersPerProduct: E2E_CHECKOUTS / 10, unitsPerProduct: E2E_CHECKOUTS });
    const listener = new Client({ connectionString: dev.databaseUrl });
    await listener.connect();
    try {
      const paidAt = new Map<string, number>();
      listener.on('notification', (message) => {
        const event = JSON.parse(message.payload ?? '{}') as { orderId?: string; status?: string };
        if (event.status === 'PAID' && event.orderId && !paidAt.has(event.orderId)) paidAt.set(event.orderId, performance.now());
      });
      await listener.query(`listen ${ORDER_NOTIFY_CHANNEL}`);
      const buyers = devSeed.buyersByProduct.flat();
      // One buyer at a time: the path's own latency. Then E2E_CONCURRENCY at a time: the same under a sustained load,
      // where the queue (WORKER_CONCURRENCY jobs at once) also carries each order's emails.
      for (const concurrency of [1, E2E_CONCURRENCY]) {
        const batch = buyers.splice(0, concurrency === 1 ? E2E_CHECKOUTS / 4 : buyers.length);
        log(`payments: ${batch.length} checkouts on the DEVELOPMENT provider, ${concurrency} at a time`);
        const started = performance.now();
        const orders = await checkOutAll(dev, batch, concurrency);
        await waitUntil('every order PAID', async () => orders.every((order) => paidAt.has(order.id)), 120_000);
        const elapsed = (performance.now() - started) / 1000;
        const endToEnd = orders.map((order) => paidAt.get(order.id)! - order.startedAt);
        const p50 = quantile(endToEnd, 0.5);
        const p99 = quantile(endToEnd, 0.99);
        harness.record({
          label: `Checkout → PAID, DEVELOPMENT provider (${concurrency} buyer${concurrency > 1 ? 's' : ''} at a time)`,
          requests: orders.length,
          requestsPerSecond: orders.length / elapsed,
          p50Ms: p50,
          p99Ms: p99,
          statementsPerRequest: NaN,
          statementsOneRequest: NaN,
          serverCpuMsPerRequest: undefined,
        });
        harness.target({
          name: `Checkout to PAID on the DEVELOPMENT provider, ${concurrency} at a time (from sending Checkout to the commit of PAID)`,
          measured: `p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`,
          goal: 'every order PAID',
          met: orders.every((order) => paidAt.has(order.id)),
        });
      }
    } finally {
      await listener.end();
      await devSeed.close();
    }
  },
};
