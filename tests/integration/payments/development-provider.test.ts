import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client as WsClient } from 'graphql-ws';
import { createShop, type TestShop } from '../../fixtures/shops';
import { OrderUpdatesDocument } from '../../generated/graphql';
import { wsClient } from '../../utils/clients';
import { availableOf, ledgerProblems, movementsOf } from '../../utils/ledger';
import { dataOf, sendAs } from '../../utils/operations';
import { CancelOrderWithPaymentDocument, paymentEventsOf, paymentView, placeOrder, StartPaymentDocument } from '../../utils/payments';
import { collect } from '../../utils/subscriptions';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

describe('payments on the DEVELOPMENT provider (no STRIPE_SECRET_KEY)', () => {
  let server: TestServer;
  let shop: TestShop;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    // The buyer "pays" 300 ms after checkout.
    server = await startTestServer({ DEVELOPMENT_PAYMENT_DELAY_MS: '300', LIVE_RECONCILE_MS: '500' });
    shop = await createShop(server);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(() => server?.close());
  const em = () => server.database.orm.em.fork();

  it('should give the checkout a client secret, then confirm the payment through the queue and tell OrderUpdates', async () => {
    const placed = await placeOrder(server, shop, { quantity: 2 });
    expect(placed.order.payment).toMatchObject({ provider: 'DEVELOPMENT', status: 'REQUIRES_PAYMENT' });
    expect(placed.order.payment.clientSecret).toMatch(/^dev_pi_[0-9a-f]{32}_secret_/);

    const client = wsClient(server.wsUrl, placed.buyer.token);
    clients.push(client);
    const sub = collect(client, OrderUpdatesDocument, { orderId: placed.order.id });
    // The order as it is first (PENDING_PAYMENT, or PAID already if the confirmation was quicker), then PAID.
    await waitFor(() => sub.data.at(-1)?.orderUpdated.status === 'PAID', 10_000, 'PAID');
    expect(sub.data.at(-1)!.orderUpdated).toEqual({ id: placed.order.id, status: 'PAID', payment: { status: 'SUCCEEDED' }, shipments: [] });

    const view = await paymentView(server, placed);
    expect(view).toMatchObject({ status: 'PAID', payment: { status: 'SUCCEEDED', refundReason: null, amount: { amount: 3_000, currency: 'EUR' } } });
    // The same path as a webhook: one recorded event, applied once.
    const reference = placed.order.payment.clientSecret!.split('_secret_')[0]!;
    const events = await paymentEventsOf(server, reference);
    expect(events.map((event) => [event.type, event.outcome])).toEqual([['payment_intent.succeeded', 'applied: payment SUCCEEDED, order PAID']]);
  });

  it('should refuse every webhook when no STRIPE_WEBHOOK_SECRET is configured', async () => {
    const response = await fetch(`${server.baseUrl}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      body: JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', created: 1, data: { object: { id: 'pi_1' } } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/STRIPE_WEBHOOK_SECRET/) });
  });

  it('should answer startPayment with the same client secret, any number of times', async () => {
    const placed = await placeOrder(server, shop);
    const again = await Promise.all(
      [1, 2, 3].map(async () => dataOf(await sendAs(server.graphqlUrl, placed.buyer.token, StartPaymentDocument, { orderId: placed.order.id })).startPayment),
    );
    expect(new Set(again.map((order) => order.payment.clientSecret))).toEqual(new Set([placed.order.payment.clientSecret]));
  });

  it('should refund a cancelled paid order, return its stock and end CANCELLED with the payment REFUNDED', async () => {
    const placed = await placeOrder(server, shop, { quantity: 3, stock: 5 });
    await waitFor(async () => (await paymentView(server, placed)).status === 'PAID', 10_000, 'the payment');
    expect(await availableOf(em(), placed.productId)).toBe(2);

    const cancelled = dataOf(await sendAs(server.graphqlUrl, placed.buyer.token, CancelOrderWithPaymentDocument, { id: placed.order.id })).cancelOrder;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', payment: { status: 'REFUNDED', refundReason: 'ORDER_CANCELLED' } });
    expect(await availableOf(em(), placed.productId)).toBe(5);
    expect((await movementsOf(em(), placed.productId)).map((m) => [m.reason, m.delta])).toEqual([
      ['SALE', -3],
      ['CANCELLATION', 3],
    ]);
    // Again: as it is, nothing returned twice.
    const again = dataOf(await sendAs(server.graphqlUrl, placed.buyer.token, CancelOrderWithPaymentDocument, { id: placed.order.id })).cancelOrder;
    expect(again.status).toBe('CANCELLED');
    expect(await availableOf(em(), placed.productId)).toBe(5);
    expect(await ledgerProblems(em())).toEqual([]);
  });
});
