import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client as WsClient } from 'graphql-ws';
import { ADDRESS } from '../../fixtures/addresses';
import { createProduct, createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AddToCartDocument, AdjustStockDocument, CancelOrderDocument, CheckoutDocument, LiveStockDocument } from '../../generated/graphql';
import { createUser, type TestUser } from '../../utils/buyers';
import { wsClient } from '../../utils/clients';
import { availableOf, ledgerProblems, movementsOf } from '../../utils/ledger';
import { eventsOf, liveStock } from '../../utils/live-stock';
import { codesOf, dataOf, sendAs } from '../../utils/operations';
import { collect } from '../../utils/subscriptions';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

describe('LiveStock over graphql-ws', () => {
  let server: TestServer;
  let shop: TestShop;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
    shop = await createShop(server);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(() => server?.close());

  const em = () => server.database.orm.em.fork();
  const ws = (user?: TestUser) => {
    const client = wsClient(server.wsUrl, user?.token);
    clients.push(client);
    return client;
  };
  const probeOf = (productId: string) => ({ graphqlUrl: server.graphqlUrl, ownerToken: shop.owner.token, productId });
  const buy = async (buyer: TestUser, lines: [string, number][], key = 'k') => {
    for (const [productId, quantity] of lines) dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId, quantity }));
    return sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: key, shippingAddress: ADDRESS } });
  };

  it('should push every change of the named products, in version order: sale, cancellation, restock, write-off', async () => {
    const [probe, mug, bowl] = await createProducts(server, shop, [{ stock: 0 }, { stock: 10 }, { stock: 4 }]);
    const { sub } = await liveStock(ws(), { productIds: [probe!, mug!, bowl!] }, probeOf(probe!));

    const buyer = await createUser(server);
    const order = dataOf(await buy(buyer, [[mug!, 3], [bowl!, 1]])).checkout;
    dataOf(await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id }));
    dataOf(await sendAs(server.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: mug!, delta: 5, reason: 'new batch' }));
    dataOf(await sendAs(server.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: mug!, delta: -2, reason: 'chipped' }));

    await waitFor(() => eventsOf(sub, mug!).length === 4 && eventsOf(sub, bowl!).length === 2, 5_000, 'the six changes');
    expect(eventsOf(sub, mug!).map((e) => [e.version, e.reason, e.delta, e.available])).toEqual([
      [1, 'SALE', -3, 7],
      [2, 'CANCELLATION', 3, 10],
      [3, 'RESTOCK', 5, 15],
      [4, 'ADJUSTMENT', -2, 13],
    ]);
    expect(eventsOf(sub, bowl!).map((e) => [e.version, e.reason, e.delta, e.available])).toEqual([
      [1, 'SALE', -1, 3],
      [2, 'CANCELLATION', 1, 4],
    ]);
    for (const event of eventsOf(sub, mug!)) expect(Number.isNaN(Date.parse(String(event.at)))).toBe(false);
    expect(await availableOf(em(), mug!)).toBe(13);
  });

  it('should push the changes of every product of a shop, a product created after subscribing included', async () => {
    const [probe, vase] = await createProducts(server, shop, [{ stock: 0 }, { stock: 2 }]);
    const { sub } = await liveStock(ws(), { shopId: shop.id }, probeOf(probe!));
    const newcomer = await createProduct(server, shop, { stock: 1 });
    const otherShop = await createShop(server);
    const elsewhere = await createProduct(server, otherShop, { stock: 5 });

    dataOf(await buy(await createUser(server), [[vase!, 2], [newcomer, 1]]));
    dataOf(await sendAs(server.graphqlUrl, otherShop.owner.token, AdjustStockDocument, { productId: elsewhere, delta: 1, reason: 'x' }));
    dataOf(await sendAs(server.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: newcomer, delta: 4, reason: 'more' }));

    await waitFor(() => eventsOf(sub, newcomer).length === 2 && eventsOf(sub, vase!).length === 1, 5_000, 'the shop’s changes');
    expect(eventsOf(sub, vase!).map((e) => [e.version, e.reason, e.available])).toEqual([[1, 'SALE', 0]]);
    expect(eventsOf(sub, newcomer).map((e) => [e.version, e.reason, e.available])).toEqual([
      [1, 'SALE', 0],
      [2, 'RESTOCK', 4],
    ]);
    expect(eventsOf(sub, elsewhere)).toEqual([]);
  });

  it('should send nothing for a checkout that rolled back', async () => {
    // Created in this order, so that the first is taken (then rolled back) before the second is refused.
    const [probe, taken, short] = await createProducts(server, shop, [{ stock: 0 }, { stock: 5 }, { stock: 1 }]);
    expect(taken! < short!).toBe(true);
    const { sub } = await liveStock(ws(), { productIds: [probe!, taken!, short!] }, probeOf(probe!));

    const [first, second] = [await createUser(server), await createUser(server)];
    for (const buyer of [first!, second!]) {
      for (const productId of [taken!, short!]) dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId, quantity: productId === taken ? 2 : 1 }));
    }
    // The first buyer gets the short product's last unit…
    expect(codesOf(await buy(first!, []))).toEqual([]);
    // …so the second checkout takes `taken`, is refused `short`, and rolls back.
    const rolledBack = await buy(second!, []);
    expect(codesOf(rolledBack)).toEqual(['OUT_OF_STOCK']);
    // Two markers: whatever the rolled-back checkout might have sent would arrive before the second (a product's
    // events arrive in version order), so once it is here, what came is all that will.
    for (const marker of ['marker', 'closing marker']) {
      dataOf(await sendAs(server.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: taken!, delta: 1, reason: marker }));
    }
    await waitFor(() => eventsOf(sub, taken!).some((e) => e.available === 5), 5_000, 'the closing marker');
    expect(eventsOf(sub, taken!).map((e) => [e.version, e.reason, e.available])).toEqual([
      [1, 'SALE', 3],
      [2, 'RESTOCK', 4],
      [3, 'RESTOCK', 5],
    ]);
    expect((await movementsOf(em(), taken!)).map((m) => m.version)).toEqual([1, 2, 3]);
    expect(await ledgerProblems(em())).toEqual([]);
  });

  it('should refuse neither or both of productIds and shopId, too many products, and unknown ones', async () => {
    const productId = await createProduct(server, shop);
    const client = ws();
    const cases = [
      { variables: {}, code: 'BAD_USER_INPUT' },
      { variables: { productIds: [productId], shopId: shop.id }, code: 'BAD_USER_INPUT' },
      { variables: { productIds: [] }, code: 'BAD_USER_INPUT' },
      { variables: { productIds: Array.from({ length: 101 }, (_, i) => `0192f0c4-0000-7000-8000-${String(i).padStart(12, '0')}`) }, code: 'BAD_USER_INPUT' },
      { variables: { productIds: ['0192f0c4-0000-7000-8000-000000000000'] }, code: 'BAD_USER_INPUT' },
      { variables: { shopId: '0192f0c4-0000-7000-8000-000000000000' }, code: 'NOT_FOUND' },
    ];
    for (const { variables, code } of cases) {
      const sub = collect(client, LiveStockDocument, variables);
      await waitFor(() => sub.completed, 5_000, 'the refusal');
      const errors = sub.results[0]?.errors ?? (Array.isArray(sub.error) ? sub.error : []);
      expect(errors.map((error: { extensions?: Record<string, unknown> }) => error.extensions?.code)).toEqual([code]);
    }
  });

  it('should serve many subscribers of one product the same changes', async () => {
    const [probe, item] = await createProducts(server, shop, [{ stock: 0 }, { stock: 20 }]);
    const subs = await Promise.all(Array.from({ length: 5 }, () => liveStock(ws(), { productIds: [probe!, item!] }, probeOf(probe!)).then((live) => live.sub)));
    for (let i = 0; i < 3; i++) dataOf(await buy(await createUser(server), [[item!, 1]]));
    for (const sub of subs) {
      await waitFor(() => eventsOf(sub, item!).length === 3, 5_000, 'three sales');
      expect(eventsOf(sub, item!).map((e) => e.version)).toEqual([1, 2, 3]);
    }
  });
});
