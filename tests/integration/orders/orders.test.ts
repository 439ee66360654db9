import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { Role } from '../../../src/modules/accounts/user.entity';
import { createLogger } from '../../../src/infra/logger';
import { orderExpiryService } from '../../../src/modules/orders/order-expiry.service';
import { systemScope } from '../../../src/modules/service-scope';
import { runSql } from '../../../src/shared/sql';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AddToCartDocument, CancelOrderDocument, CheckoutDocument, MyOrdersDocument, OrderDocument } from '../../generated/graphql';
import { createUser, type TestUser } from '../../utils/buyers';
import { availableOf, ledgerProblems, movementsOf } from '../../utils/ledger';
import { codesOf, dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

interface PageInfoOfZero {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

interface PageOfZero {
  totalCount: number;
  pageInfo: PageInfoOfZero;
  edges: { cursor: string }[];
}

/** `first: 0` of the caller's orders and of the catalogue, with `totalCount` (which the contract's MyOrders leaves out). */
const PageOfZeroDocument = parse(`
  query PageOfZero($after: String) {
    myOrders(first: 0, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } }
    products(first: 0) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } }
  }
`) as TypedDocumentNode<{ myOrders: PageOfZero; products: PageOfZero }, { after: string | null }>;

describe('MyOrders, Order and CancelOrder', () => {
  let server: TestServer;
  let shop: TestShop;
  let admin: TestUser;
  let support: TestUser;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
    shop = await createShop(server);
    admin = await createUser(server, Role.ADMIN);
    support = await createUser(server, Role.SUPPORT);
  });
  afterAll(() => server?.close());

  const em = () => server.database.orm.em.fork();

  /** A new buyer's order of `quantity` units of a new product with `stock` units. */
  async function placeOrder(options: { buyer?: TestUser; quantity?: number; stock?: number; key?: string } = {}) {
    const buyer = options.buyer ?? (await createUser(server));
    const [productId] = await createProducts(server, shop, [{ stock: options.stock ?? 10, priceAmount: 700 }]);
    dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId: productId!, quantity: options.quantity ?? 2 }));
    const order = dataOf(
      await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: options.key ?? 'k', shippingAddress: ADDRESS } }),
    ).checkout;
    return { buyer, productId: productId!, order };
  }
  const readOrder = (user: TestUser | undefined, id: string) => sendAs(server.graphqlUrl, user?.token, OrderDocument, { id });
  const cancel = (user: TestUser | undefined, id: string) => sendAs(server.graphqlUrl, user?.token, CancelOrderDocument, { id });

  it('should show the buyer its order with address, lines, shops and payment', async () => {
    const { buyer, productId, order } = await placeOrder();
    const { order: read } = dataOf(await readOrder(buyer, order.id));
    expect(read).toMatchObject({
      id: order.id,
      number: order.number,
      status: 'PENDING_PAYMENT',
      total: { amount: 1_400, currency: 'EUR' },
      shippingAddress: { ...ADDRESS, line2: null, phone: null },
      payment: { provider: 'DEVELOPMENT', status: 'REQUIRES_PAYMENT' },
    });
    expect(read.lines).toEqual([
      expect.objectContaining({ product: expect.objectContaining({ id: productId, shop: expect.objectContaining({ id: shop.id }) }), quantity: 2 }),
    ]);
    expect(typeof read.createdAt).toBe('string');
  });

  it('should show an order to ADMIN and SUPPORT, and answer NOT_FOUND to another buyer and for no such order', async () => {
    const { order } = await placeOrder();
    expect(dataOf(await readOrder(admin, order.id)).order.id).toBe(order.id);
    expect(dataOf(await readOrder(support, order.id)).order.id).toBe(order.id);
    expect(codesOf(await readOrder(await createUser(server), order.id))).toEqual(['NOT_FOUND']);
    expect(codesOf(await readOrder(shop.owner, order.id))).toEqual(['NOT_FOUND']);
    expect(codesOf(await readOrder(admin, '0192f0c4-0000-7000-8000-000000000000'))).toEqual(['NOT_FOUND']);
    expect(codesOf(await readOrder(admin, 'nope'))).toEqual(['NOT_FOUND']);
    expect(codesOf(await readOrder(undefined, order.id))).toEqual(['UNAUTHENTICATED']);
  });

  it("should page through the caller's orders newest first, and only the caller's", async () => {
    const buyer = await createUser(server);
    const placed = [];
    for (let i = 0; i < 5; i++) placed.push((await placeOrder({ buyer, quantity: 1, key: `order-${i}` })).order);
    await placeOrder(); // someone else's

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const { myOrders }: { myOrders: { edges: { node: { id: string; number: string; status: string } }[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } } } =
        dataOf(await sendAs(server.graphqlUrl, buyer.token, MyOrdersDocument, { first: 2, after }));
      seen.push(...myOrders.edges.map((edge) => edge.node.id));
      if (!myOrders.pageInfo.hasNextPage) break;
      after = myOrders.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual(placed.map((order) => order.id).reverse());
    const { myOrders } = dataOf(await sendAs(server.graphqlUrl, buyer.token, MyOrdersDocument, { first: 1 }));
    expect(myOrders.edges[0]!.node).toMatchObject({ number: placed[4]!.number, status: 'PENDING_PAYMENT', total: { amount: 700, currency: 'EUR' } });
    expect(codesOf(await sendAs(server.graphqlUrl, buyer.token, MyOrdersDocument, { first: 101 }))).toEqual(['BAD_USER_INPUT']);
    expect(codesOf(await sendAs(server.graphqlUrl, undefined, MyOrdersDocument, { first: 1 }))).toEqual(['UNAUTHENTICATED']);
  });

  it('should answer first: 0 as every connection does: no edge, null cursors, whether orders follow, and the exact totalCount', async () => {
    const buyer = await createUser(server);
    const placed = [];
    for (let i = 0; i < 2; i++) placed.push((await placeOrder({ buyer, quantity: 1, key: `zero-${i}` })).order);
    const empty = { edges: [], pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null } };

    const page = async (user: TestUser, after: string | null) =>
      dataOf(await sendAs(server.graphqlUrl, user.token, PageOfZeroDocument, { after })).myOrders;
    expect(await page(buyer, null)).toEqual({ ...empty, totalCount: 2 });
    // The contract's own operation answers the same.
    expect(dataOf(await sendAs(server.graphqlUrl, buyer.token, MyOrdersDocument, { first: 0 })).myOrders).toEqual(empty);
    // As the catalogue does: products follow an empty page of products.
    const { products } = dataOf(await sendAs(server.graphqlUrl, buyer.token, PageOfZeroDocument, { after: null }));
    expect(products).toEqual({ ...empty, totalCount: expect.any(Number) });
    expect(products.totalCount).toBeGreaterThan(0);

    // After the oldest order nothing follows, and the page has orders before it.
    const { myOrders: all } = dataOf(await sendAs(server.graphqlUrl, buyer.token, MyOrdersDocument, { first: 2 }));
    expect(all.edges.map((edge) => edge.node.id)).toEqual(placed.map((order) => order.id).reverse());
    expect(await page(buyer, all.pageInfo.endCursor ?? null)).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null },
      totalCount: 2,
    });
    // A buyer without orders: nothing follows.
    expect(await page(await createUser(server), null)).toEqual({ ...empty, pageInfo: { ...empty.pageInfo, hasNextPage: false }, totalCount: 0 });
  });

  it('should cancel an order awaiting payment and return its stock exactly once, however often it is asked', async () => {
    const { buyer, productId, order } = await placeOrder({ stock: 10, quantity: 3 });
    expect(await availableOf(em(), productId)).toBe(7);
    const results = await Promise.all(Array.from({ length: 5 }, () => cancel(buyer, order.id)));
    for (const result of results) expect(dataOf(result).cancelOrder).toMatchObject({ id: order.id, status: 'CANCELLED' });
    expect(dataOf(await cancel(buyer, order.id)).cancelOrder.status).toBe('CANCELLED');

    expect(await availableOf(em(), productId)).toBe(10);
    expect((await movementsOf(em(), productId)).map((m) => [m.reason, m.delta, m.available_after])).toEqual([
      ['SALE', -3, 7],
      ['CANCELLATION', 3, 10],
    ]);
    expect(dataOf(await readOrder(buyer, order.id)).order.payment.status).toBe('CANCELLED');
    expect(await ledgerProblems(em())).toEqual([]);
  });

  it('should let ADMIN cancel, refuse SUPPORT with FORBIDDEN and answer NOT_FOUND to anyone else', async () => {
    const { order } = await placeOrder();
    expect(codesOf(await cancel(support, order.id))).toEqual(['FORBIDDEN']);
    expect(codesOf(await cancel(await createUser(server), order.id))).toEqual(['NOT_FOUND']);
    expect(codesOf(await cancel(undefined, order.id))).toEqual(['UNAUTHENTICATED']);
    expect(dataOf(await readOrder(admin, order.id)).order.status).toBe('PENDING_PAYMENT');
    expect(dataOf(await cancel(admin, order.id)).cancelOrder.status).toBe('CANCELLED');
  });

  it('should refuse to cancel a fulfilled order with CONFLICT', async () => {
    const { buyer, productId, order } = await placeOrder({ quantity: 1 });
    await runSql(em(), `update customer_order set status = 'FULFILLED' where id = ?`, [order.id]);
    const result = await cancel(buyer, order.id);
    expect(codesOf(result)).toEqual(['CONFLICT']);
    expect(result.errors[0]!.message).toMatch(/fulfilled/i);
    expect(await availableOf(em(), productId)).toBe(9);
  });

  it('should refuse to cancel an expired order with CONFLICT', async () => {
    const { buyer, productId, order } = await placeOrder({ quantity: 1 });
    const later = { now: () => new Date(Date.now() + 16 * 60_000) };
    expect(await orderExpiryService.expire(systemScope({ orm: server.database.orm, clock: later, logger: createLogger('silent') }, 'test'), order.id)).toBe('EXPIRED');
    const result = await cancel(buyer, order.id);
    expect(codesOf(result)).toEqual(['CONFLICT']);
    expect(result.errors[0]!.message).toMatch(/expired/i);
    expect(await availableOf(em(), productId)).toBe(10);
    expect(await ledgerProblems(em())).toEqual([]);
  });
});
