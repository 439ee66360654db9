import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client as WsClient } from 'graphql-ws';
import { Role } from '../../../src/modules/accounts/user.entity';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AddToCartDocument, CancelOrderDocument, CheckoutDocument, OrderUpdatesDocument } from '../../generated/graphql';
import { createUser, type TestUser } from '../../utils/buyers';
import { wsClient } from '../../utils/clients';
import { dataOf, sendAs } from '../../utils/operations';
import { collect } from '../../utils/subscriptions';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

describe('OrderUpdates over graphql-ws', () => {
  let server: TestServer;
  let shop: TestShop;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    // Reservations of 1.2 s, and the worker that expires them.
    server = await startTestServer({ RESERVATION_MINUTES: '0.02', LIVE_RECONCILE_MS: '500' });
    shop = await createShop(server);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(() => server?.close());

  const ws = (user?: TestUser) => {
    const client = wsClient(server.wsUrl, user?.token);
    clients.push(client);
    return client;
  };
  async function placeOrder() {
    const buyer = await createUser(server);
    const [productId] = await createProducts(server, shop, [{ stock: 5 }]);
    dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId: productId!, quantity: 1 }));
    const order = dataOf(await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: 'k', shippingAddress: ADDRESS } })).checkout;
    return { buyer, order };
  }
  /** The first error code of a subscription that the server refused. */
  async function refusal(user: TestUser | undefined, orderId: string): Promise<unknown> {
    const sub = collect(ws(user), OrderUpdatesDocument, { orderId });
    await waitFor(() => sub.completed, 5_000, 'the refusal');
    const errors = sub.results[0]?.errors ?? (Array.isArray(sub.error) ? sub.error : []);
    return errors[0]?.extensions?.code;
  }

  it('should tell the buyer its order was cancelled', async () => {
    const { buyer, order } = await placeOrder();
    const sub = collect(ws(buyer), OrderUpdatesDocument, { orderId: order.id });
    // Give the subscription a moment to start; a change made before it starts is caught by the periodic check anyway.
    await new Promise((resolve) => setTimeout(resolve, 200));
    dataOf(await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id }));
    const [update] = await sub.until(1);
    expect(update!.orderUpdated).toMatchObject({ id: order.id, status: 'CANCELLED' });
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(sub.results).toHaveLength(1);
  });

  it('should tell the buyer its order expired when the reservation ran out', async () => {
    const { buyer, order } = await placeOrder();
    const sub = collect(ws(buyer), OrderUpdatesDocument, { orderId: order.id });
    const [update] = await sub.until(1, 15_000);
    expect(update!.orderUpdated).toMatchObject({ id: order.id, status: 'EXPIRED' });
  });

  it('should let ADMIN and SUPPORT watch an order', async () => {
    const { buyer, order } = await placeOrder();
    const admin = collect(ws(await createUser(server, Role.ADMIN)), OrderUpdatesDocument, { orderId: order.id });
    const support = collect(ws(await createUser(server, Role.SUPPORT)), OrderUpdatesDocument, { orderId: order.id });
    await new Promise((resolve) => setTimeout(resolve, 200));
    dataOf(await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id }));
    expect((await admin.until(1))[0]!.orderUpdated.status).toBe('CANCELLED');
    expect((await support.until(1))[0]!.orderUpdated.status).toBe('CANCELLED');
  });

  it('should answer NOT_FOUND to another buyer and to an artisan, and UNAUTHENTICATED to anonymous callers', async () => {
    const { order } = await placeOrder();
    expect(await refusal(await createUser(server), order.id)).toBe('NOT_FOUND');
    expect(await refusal(shop.owner, order.id)).toBe('NOT_FOUND');
    expect(await refusal(undefined, order.id)).toBe('UNAUTHENTICATED');
    expect(await refusal(await createUser(server), 'no-such-order')).toBe('NOT_FOUND');
  });
});
