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
import { passTime, waitFor } from '../../utils/wait';

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

  it('should send the order as it is first, then tell the buyer its order was cancelled', async () => {
    const { buyer, order } = await placeOrder();
    const sub = collect(ws(buyer), OrderUpdatesDocument, { orderId: order.id });
    // The current state comes first: from then on, the subscription is live.
    const [current] = await sub.until(1);
    expect(current!.orderUpdated).toMatchObject({ id: order.id, status: 'PENDING_PAYMENT' });
    dataOf(await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id }));
    const [, update] = await sub.until(2);
    expect(update!.orderUpdated).toMatchObject({ id: order.id, status: 'CANCELLED' });
    // A cancelled order changes no more, so no later event can mark the end: let the check against the database
    // (every LIVE_RECONCILE_MS, 500) run at least once, and it must not send the cancellation again.
    await passTime(700, 'a periodic check of the order hub');
    expect(sub.results).toHaveLength(2);
  });

  it('should send a change made before subscribing as the current state, not miss it', async () => {
    const { buyer, order } = await placeOrder();
    dataOf(await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id }));
    const sub = collect(ws(buyer), OrderUpdatesDocument, { orderId: order.id });
    const [current] = await sub.until(1);
    expect(current!.orderUpdated).toMatchObject({ id: order.id, status: 'CANCELLED' });
  });

  it('should tell the buyer its order expired when the reservation ran out', async () => {
    const { buyer, order } = await placeOrder();
    const sub = collect(ws(buyer), OrderUpdatesDocument, { orderId: order.id });
    // PENDING_PAYMENT first, unless the 1.2 s reservation already ran out before the subscription started.
    await waitFor(() => sub.data.at(-1)?.orderUpdated.status === 'EXPIRED', 15_000, 'the expiry');
    expect(sub.data.map((update) => update.orderUpdated.status)).toEqual(sub.data.length === 1 ? ['EXPIRED'] : ['PENDING_PAYMENT', 'EXPIRED']);
  });

  it('should let ADMIN and SUPPORT watch an order', async () => {
    const { buyer, order } = await placeOrder();
    const admin = collect(ws(await createUser(server, Role.ADMIN)), OrderUpdatesDocument, { orderId: order.id });
    const support = collect(ws(await createUser(server, Role.SUPPORT)), OrderUpdatesDocument, { orderId: order.id });
    await Promise.all([admin.until(1), support.until(1)]);
    dataOf(await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id }));
    expect((await admin.until(2))[1]!.orderUpdated.status).toBe('CANCELLED');
    expect((await support.until(2))[1]!.orderUpdated.status).toBe('CANCELLED');
  });

  it('should answer NOT_FOUND to another buyer and to an artisan, and UNAUTHENTICATED to anonymous callers', async () => {
    const { order } = await placeOrder();
    expect(await refusal(await createUser(server), order.id)).toBe('NOT_FOUND');
    expect(await refusal(shop.owner, order.id)).toBe('NOT_FOUND');
    expect(await refusal(undefined, order.id)).toBe('UNAUTHENTICATED');
    expect(await refusal(await createUser(server), 'no-such-order')).toBe('NOT_FOUND');
  });
});
