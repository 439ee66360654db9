import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client as WsClient } from 'graphql-ws';
import Stripe from 'stripe';
import { runSql } from '../../../src/shared/sql';
import { createShop, type TestShop } from '../../fixtures/shops';
import { CheckoutDocument, FulfilOrderDocument, OrderUpdatesDocument } from '../../generated/graphql';
import { ADDRESS } from '../../fixtures/addresses';
import { wsClient } from '../../utils/clients';
import { startFakeStripe, type FakeStripe } from '../../utils/fake-stripe';
import { availableOf, ledgerProblems } from '../../utils/ledger';
import { dataOf, sendAs } from '../../utils/operations';
import {
  CancelOrderWithPaymentDocument,
  fakeStripeEnv,
  paymentEventsOf,
  paymentView,
  placeOrder,
  providerReferenceOf,
  StartPaymentDocument,
  type PlacedOrder,
} from '../../utils/payments';
import { collect } from '../../utils/subscriptions';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

/** The server on the real `stripe` SDK, pointed at a fake Stripe; short timeouts so that outages are quick. */
function stripeEnv(fake: FakeStripe, extra: Record<string, string> = {}): Record<string, string> {
  return fakeStripeEnv(fake, { STRIPE_TIMEOUT_MS: '400', STRIPE_MAX_NETWORK_RETRIES: '1', STRIPE_CIRCUIT_RESET_MS: '2000', LIVE_RECONCILE_MS: '500', ...extra });
}

const emailsOf = (server: TestServer, orderId: string) =>
  runSql<{ kind: string }>(server.database.orm.em.fork(), 'select kind from email_message where order_id = ? order by kind', [orderId]);

const pendingJobs = async (server: TestServer) =>
  Number(
    (await runSql<{ n: string }>(server.database.orm.em.fork(), `select count(*) as n from graphile_worker.jobs where task_identifier not like 'expire%' and attempts < max_attempts`))[0]!.n,
  );

describe('payments through Stripe', () => {
  let fake: FakeStripe;
  let server: TestServer;
  let shop: TestShop;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    fake = await startFakeStripe();
    server = await startTestServer(stripeEnv(fake));
    fake.setWebhookUrl(`${server.baseUrl}/webhooks/stripe`);
    shop = await createShop(server);
  });
  afterEach(async () => {
    fake.release();
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
  });
  const em = () => server.database.orm.em.fork();
  const intentOf = async (placed: PlacedOrder) => fake.paymentIntent((await providerReferenceOf(server, placed.order.id))!)!;

  it('should create one PaymentIntent for exactly the order total, with a key derived from the order, and hand its client secret to the buyer', async () => {
    const placed = await placeOrder(server, shop, { quantity: 3, priceAmount: 1_250 });
    const intent = await intentOf(placed);
    expect(intent).toMatchObject({ amount: 3_750, currency: 'eur', metadata: { orderId: placed.order.id, orderNumber: placed.order.number } });
    expect(placed.order.payment).toMatchObject({ provider: 'STRIPE', status: 'REQUIRES_PAYMENT', clientSecret: intent.client_secret });
    const creations = fake.requests().filter((request) => request.path === '/v1/payment_intents');
    expect(creations.filter((request) => request.idempotencyKey === `atelier:order:${placed.order.id}:payment-intent`)).toHaveLength(1);

    // A checkout replay and startPayment give the same intent back, without asking Stripe for another.
    const before = fake.paymentIntents().length;
    const replay = dataOf(await sendAs(server.graphqlUrl, placed.buyer.token, CheckoutDocument, { input: { idempotencyKey: 'pay', shippingAddress: ADDRESS } })).checkout;
    const started = dataOf(await sendAs(server.graphqlUrl, placed.buyer.token, StartPaymentDocument, { orderId: placed.order.id })).startPayment;
    expect([replay.payment.clientSecret, started.payment.clientSecret]).toEqual([intent.client_secret, intent.client_secret]);
    expect(fake.paymentIntents()).toHaveLength(before);
  });

  it('should charge a zero-decimal currency in its own unit (JPY: yen, not hundredths)', async () => {
    const yenShop = await createShop(server, { currency: 'JPY', country: 'JP' });
    const placed = await placeOrder(server, yenShop, { quantity: 2, priceAmount: 1_500 });
    expect(await intentOf(placed)).toMatchObject({ amount: 3_000, currency: 'jpy' });
  });

  it('should make one PAID transition and send one email of each kind when one event is delivered five times', async () => {
    const placed = await placeOrder(server, shop);
    const client = wsClient(server.wsUrl, placed.buyer.token);
    clients.push(client);
    const updates = collect(client, OrderUpdatesDocument, { orderId: placed.order.id });
    // The current state first: the subscription is live.
    await updates.until(1);

    const succeeded = fake.succeed((await intentOf(placed)).id);
    const statuses = await fake.deliver(succeeded, { times: 5, concurrently: true });
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    await waitFor(async () => (await paymentView(server, placed)).status === 'PAID', 10_000, 'PAID');
    await waitFor(async () => (await pendingJobs(server)) === 0, 10_000, 'the queue to drain');
    await fake.deliver(succeeded, { times: 2 });
    // Each delivery was recorded before its 200: what it queued has run once the queue is empty again.
    await waitFor(async () => (await pendingJobs(server)) === 0, 10_000, 'the queue to drain after the repeats');

    expect((await paymentEventsOf(server, succeeded.data.object.id as string)).map((event) => event.outcome)).toEqual(['applied: payment SUCCEEDED, order PAID']);
    expect((await emailsOf(server, placed.order.id)).map((email) => email.kind)).toEqual(['NEW_ORDER', 'ORDER_CONFIRMATION']);
    expect((await paymentView(server, placed)).payment.status).toBe('SUCCEEDED');
    // A later change of the order as a marker: a second PAID would have reached the buyer before it.
    dataOf(await sendAs(server.graphqlUrl, shop.owner.token, FulfilOrderDocument, { orderId: placed.order.id, input: { carrier: 'La Poste', trackingNumber: 'MARKER' } }));
    await updates.until(3);
    expect(updates.results.map((result) => result.data?.orderUpdated.status)).toEqual(['PENDING_PAYMENT', 'PAID', 'FULFILLED']);
  });

  it('should change nothing on a delivery without a valid signature, and answer 400', async () => {
    const placed = await placeOrder(server, shop);
    const succeeded = fake.succeed((await intentOf(placed)).id);
    const statuses: Record<string, number[]> = {};
    for (const signature of ['none', 'wrong-secret', 'tampered-body', 'stale-timestamp'] as const) statuses[signature] = await fake.deliver(succeeded, { signature });
    expect(statuses).toEqual({ none: [400], 'wrong-secret': [400], 'tampered-body': [400], 'stale-timestamp': [400] });
    // The signature is checked before anything is recorded or queued: the 400s are the end of it.
    expect(await paymentEventsOf(server, succeeded.data.object.id as string)).toEqual([]);
    expect(await paymentView(server, placed)).toMatchObject({ status: 'PENDING_PAYMENT', payment: { status: 'REQUIRES_PAYMENT' } });
  });

  it('should never let a late processing event undo a success that came first', async () => {
    const placed = await placeOrder(server, shop);
    const intentId = (await intentOf(placed)).id;
    const processing = fake.process(intentId);
    const succeeded = fake.succeed(intentId);
    // The processing event arrives once the success is applied. (Delivered back to back, the two jobs may run in
    // either order, and a processing event applied first is not late: the end state is the same, PAID.)
    expect(await fake.deliver(succeeded)).toEqual([200]);
    await waitFor(async () => (await paymentView(server, placed)).status === 'PAID', 10_000, 'PAID');
    expect(await fake.deliver(processing)).toEqual([200]);
    const bothProcessed = async () => {
      const events = await paymentEventsOf(server, intentId);
      return events.length === 2 && events.every((event) => event.processed_at);
    };
    await waitFor(bothProcessed, 10_000, 'both events');
    expect(await paymentView(server, placed)).toMatchObject({ status: 'PAID', payment: { status: 'SUCCEEDED' } });
    const outcomes = (await paymentEventsOf(server, intentId)).map((event) => [event.type, event.outcome?.split(':')[0]]);
    expect(outcomes).toEqual(expect.arrayContaining([['payment_intent.succeeded', 'applied'], ['payment_intent.processing', 'ignored']]));
  });

  it('should make a declined order PAYMENT_FAILED, keep its stock, and make it PAID when the buyer tries again', async () => {
    const placed = await placeOrder(server, shop, { stock: 4, quantity: 1 });
    const intentId = (await intentOf(placed)).id;
    await fake.deliver(fake.fail(intentId));
    await waitFor(async () => (await paymentView(server, placed)).status === 'PAYMENT_FAILED', 10_000, 'PAYMENT_FAILED');
    expect((await paymentView(server, placed)).payment.status).toBe('FAILED');
    expect(await availableOf(em(), placed.productId)).toBe(3);

    await fake.deliver(fake.succeed(intentId));
    await waitFor(async () => (await paymentView(server, placed)).status === 'PAID', 10_000, 'PAID');
    expect(await availableOf(em(), placed.productId)).toBe(3);
  });

  it('should refund a cancelled paid order through Stripe with an idempotency key, once, and return its stock', async () => {
    const placed = await placeOrder(server, shop, { stock: 5, quantity: 2 });
    const intentId = (await intentOf(placed)).id;
    await fake.deliver(fake.succeed(intentId));
    await waitFor(async () => (await paymentView(server, placed)).status === 'PAID', 10_000, 'PAID');

    const cancelled = dataOf(await sendAs(server.graphqlUrl, placed.buyer.token, CancelOrderWithPaymentDocument, { id: placed.order.id })).cancelOrder;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED', refundReason: 'ORDER_CANCELLED' } });
    expect(await availableOf(em(), placed.productId)).toBe(5);
    // Stripe's own charge.refunded arrives later: already REFUNDED, nothing more happens.
    const [refunded] = fake.events('charge.refunded').filter((event) => (event.data.object as { payment_intent?: string }).payment_intent === intentId);
    expect(await fake.deliver(refunded!)).toEqual([200]);
    await waitFor(async () => (await pendingJobs(server)) === 0, 10_000, 'the queue to drain');
    const refunds = fake.refunds().filter((refund) => refund.payment_intent === intentId);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amount: 3_000 });
    expect(fake.requests().filter((request) => request.path === '/v1/refunds' && request.idempotencyKey === `atelier:order:${placed.order.id}:refund`).length).toBeGreaterThan(0);
    expect(await ledgerProblems(em())).toEqual([]);
  });

  it('should mark the payment REFUNDED when Stripe reports a refund made elsewhere (the dashboard), keeping the order PAID', async () => {
    const placed = await placeOrder(server, shop);
    const intentId = (await intentOf(placed)).id;
    await fake.deliver(fake.succeed(intentId));
    await waitFor(async () => (await paymentView(server, placed)).status === 'PAID', 10_000, 'PAID');
    // An operator refunds in Stripe's dashboard: Atelier learns it from charge.refunded only.
    const dashboard = new Stripe(fake.apiKey, { host: '127.0.0.1', port: fake.port, protocol: 'http' });
    await dashboard.refunds.create({ payment_intent: intentId });
    const [refunded] = fake.events('charge.refunded').filter((event) => (event.data.object as { payment_intent?: string }).payment_intent === intentId);
    expect(await fake.deliver(refunded!, { times: 2 })).toEqual([200, 200]);
    await waitFor(async () => (await paymentView(server, placed)).payment.status === 'REFUNDED', 10_000, 'REFUNDED');
    expect(await paymentView(server, placed)).toMatchObject({ status: 'PAID', payment: { status: 'REFUNDED', refundReason: 'PROVIDER' } });
  });

  it('should lose no order while Stripe is down, open the circuit, and give the same intent once Stripe is back', async () => {
    await fake.refuseConnections();
    const circuitOpen = async () => /^atelier_payment_circuit_open 1$/m.test(await (await fetch(`${server.baseUrl}/metrics`)).text());
    const down: PlacedOrder[] = [];
    try {
      // Until the breaker opens: at least half of the calls of the last 10 s failed, earlier tests' successes included.
      while (!(await circuitOpen()) && down.length < 20) down.push(await placeOrder(server, shop, { quantity: 1 }));
      expect(await circuitOpen()).toBe(true);
    } finally {
      await fake.acceptConnections();
    }
    // Stripe is back but the circuit is still open: the next checkout does not even try, and keeps its order all the same.
    const requestsBefore = fake.requests().length;
    down.push(await placeOrder(server, shop, { quantity: 1 }));
    expect(fake.requests()).toHaveLength(requestsBefore);
    for (const placed of down) {
      expect(placed.order).toMatchObject({ status: 'PENDING_PAYMENT', payment: { provider: 'STRIPE', status: 'REQUIRES_PAYMENT', clientSecret: null } });
    }
    // The breaker lets one call through after STRIPE_CIRCUIT_RESET_MS (2 s): the first buyer asks again until then
    // (answered without a client secret meanwhile, as at checkout); then every buyer gets the payment.
    const startPayment = async (placed: PlacedOrder) =>
      dataOf(await sendAs(server.graphqlUrl, placed.buyer.token, StartPaymentDocument, { orderId: placed.order.id })).startPayment;
    await waitFor(async () => (await startPayment(down[0]!)).payment.clientSecret !== null, 10_000, 'the circuit to let a call through', 200);
    for (const placed of down) {
      const started = await startPayment(placed);
      expect(started.payment.clientSecret).toBe((await intentOf(placed)).client_secret);
    }
    for (const placed of down) {
      expect(fake.paymentIntents().filter((intent) => intent.metadata.orderId === placed.order.id)).toHaveLength(1);
    }
    expect(await (await fetch(`${server.baseUrl}/metrics`)).text()).toMatch(/^atelier_payment_circuit_open 0$/m);
  });

  it('should retry a request that timed out with the same key, and get the intent that the first attempt made', async () => {
    // Stripe did the work but its answer never came: the SDK's retry (same key) must get that intent, not a second one.
    fake.hang({ path: '/v1/payment_intents', count: 1, at: 'response' });
    const placed = await placeOrder(server, shop);
    const attempts = fake.requests().filter((request) => request.idempotencyKey === `atelier:order:${placed.order.id}:payment-intent`);
    expect(attempts.length).toBe(2);
    expect(attempts[1]!.replayed).toBe(true);
    expect(fake.paymentIntents().filter((intent) => intent.metadata.orderId === placed.order.id)).toHaveLength(1);
    expect(placed.order.payment.clientSecret).toBe((await intentOf(placed)).client_secret);
  });

  it('should keep the order when Stripe hangs past every timeout, and give the same intent when the buyer asks again', async () => {
    // Held before Stripe does anything: every attempt times out.
    fake.hang({ path: '/v1/payment_intents', at: 'request' });
    const placed = await placeOrder(server, shop);
    expect(placed.order).toMatchObject({ status: 'PENDING_PAYMENT', payment: { status: 'REQUIRES_PAYMENT', clientSecret: null } });
    fake.release();
    const started = dataOf(await sendAs(server.graphqlUrl, placed.buyer.token, StartPaymentDocument, { orderId: placed.order.id })).startPayment;
    expect(fake.paymentIntents().filter((intent) => intent.metadata.orderId === placed.order.id)).toHaveLength(1);
    expect(started.payment.clientSecret).toBe((await intentOf(placed)).client_secret);
  });
});

describe('a payment that succeeds after its order expired', () => {
  let fake: FakeStripe;
  let server: TestServer;
  let shop: TestShop;

  beforeAll(async () => {
    fake = await startFakeStripe();
    // Reservations of 1.2 s.
    server = await startTestServer(stripeEnv(fake, { RESERVATION_MINUTES: '0.02' }));
    fake.setWebhookUrl(`${server.baseUrl}/webhooks/stripe`);
    shop = await createShop(server);
  });
  afterAll(async () => {
    fake?.release();
    await server?.close();
    await fake?.stop();
  });

  it('should be refunded automatically, the order saying so', async () => {
    // The cancellation of the expired order's intent does not reach Stripe before the buyer's payment does.
    fake.hang({ path: /\/cancel$/ });
    const placed = await placeOrder(server, shop, { stock: 3, quantity: 1 });
    await waitFor(async () => (await paymentView(server, placed)).status === 'EXPIRED', 10_000, 'EXPIRED');
    const intentId = (await providerReferenceOf(server, placed.order.id))!;
    await fake.deliver(fake.succeed(intentId));
    await waitFor(async () => (await paymentView(server, placed)).payment.status === 'REFUNDED', 10_000, 'the refund');

    expect(await paymentView(server, placed)).toMatchObject({ status: 'EXPIRED', payment: { status: 'REFUNDED', refundReason: 'LATE_PAYMENT' } });
    expect(fake.refunds().filter((refund) => refund.payment_intent === intentId)).toHaveLength(1);
    expect(await availableOf(server.database.orm.em.fork(), placed.productId)).toBe(3);
    // No confirmation of an order that expired: only the buyer's notice of the refund.
    await waitFor(async () => (await emailsOf(server, placed.order.id)).length > 0, 10_000, 'the refund email');
    expect(await emailsOf(server, placed.order.id)).toEqual([{ kind: 'REFUND_ISSUED' }]);
  });
});
