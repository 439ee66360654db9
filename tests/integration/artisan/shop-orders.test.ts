import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { startStatementCounter, type StatementCounter } from '../../../bench/lib/pg-statement-counter';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { FulfilOrderDocument, ShopOrdersDocument, type ShopOrdersQuery } from '../../generated/graphql';
import { payOrder } from '../../utils/artisan';
import { createUser, type TestUser } from '../../utils/buyers';
import { postGraphql } from '../../utils/clients';
import { createTestDatabase, type TestDatabase } from '../../utils/database';
import { dataOf, sendAs } from '../../utils/operations';
import { checkOut, type CheckedOutOrder } from '../../utils/order-emails';
import { startTestServer, type TestServer } from '../../utils/test-server';

/** The codes of a raw response body's errors. */
const codesIn = (body: unknown) => ((body as { errors?: { extensions?: { code?: string } }[] }).errors ?? []).map((error) => error.extensions?.code);

type ShopOrderNode = NonNullable<NonNullable<NonNullable<ShopOrdersQuery['me']>['shop']>['orders']>['edges'][number]['node'];

describe("a shop's orders (ShopOrders)", () => {
  let database: TestDatabase;
  let counter: StatementCounter;
  let server: TestServer;
  let potter: TestShop;
  let weaver: TestShop;
  let mug: string, bowl: string, scarf: string;
  /** Every order made, oldest first, with what each shop should see of it. */
  const orders: { order: CheckedOutOrder; buyer: TestUser; potterUnits: number; weaverUnits: number }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    counter = await startStatementCounter(database.url);
    server = await startTestServer({ DATABASE_URL: counter.url, RUN_WORKER: 'false' }, database);
    [potter, weaver] = [await createShop(server), await createShop(server)];
    [mug, bowl] = (await createProducts(server, potter, [{ priceAmount: 1_250, stock: 1_000 }, { priceAmount: 3_000, stock: 1_000 }])) as [string, string];
    [scarf] = (await createProducts(server, weaver, [{ priceAmount: 4_000, stock: 1_000 }])) as [string];
    const buyers = await Promise.all([createUser(server), createUser(server), createUser(server)]);
    // 24 orders: a third hold both shops' products, a third the potter's only, a third the weaver's only.
    for (let i = 0; i < 24; i++) {
      const buyer = buyers[i % 3]!;
      const kind = i % 3;
      const lines =
        kind === 0
          ? [{ productId: mug, quantity: 2 }, { productId: bowl, quantity: 1 }, { productId: scarf, quantity: 1 }]
          : kind === 1
            ? [{ productId: mug, quantity: 1 }]
            : [{ productId: scarf, quantity: 3 }];
      const order = await checkOut(server, buyer, lines);
      orders.push({ order, buyer, potterUnits: kind === 0 ? 3 : kind === 1 ? 1 : 0, weaverUnits: kind === 0 ? 1 : kind === 2 ? 3 : 0 });
    }
    for (const { order } of orders.slice(0, 10)) await payOrder(server, order.id);
  });
  afterAll(async () => {
    await server?.close();
    await counter?.close();
    await database?.drop();
  });

  const shopOrders = (shop: TestShop, variables: { first: number; after?: string | null; status?: 'PAID' | 'PENDING_PAYMENT' | null }) =>
    sendAs(server.graphqlUrl, shop.owner.token, ShopOrdersDocument, variables);

  async function allPages(shop: TestShop, status?: 'PAID' | 'PENDING_PAYMENT'): Promise<ShopOrderNode[]> {
    const nodes: ShopOrderNode[] = [];
    let after: string | null = null;
    for (;;) {
      const connection: NonNullable<NonNullable<NonNullable<ShopOrdersQuery['me']>['shop']>['orders']> = dataOf(await shopOrders(shop, { first: 5, after, status })).me!.shop!.orders!;
      nodes.push(...connection.edges.map((edge) => edge.node));
      if (!connection.pageInfo.hasNextPage) return nodes;
      after = connection.pageInfo.endCursor!;
    }
  }

  it("should list every order holding the shop's products, newest first, page by page, each with only the shop's lines and subtotal", async () => {
    const nodes = await allPages(potter);
    const expected = orders.filter((entry) => entry.potterUnits > 0).reverse();
    expect(nodes.map((node) => node.order.number)).toEqual(expected.map((entry) => entry.order.number));
    for (const [i, node] of nodes.entries()) {
      const entry = expected[i]!;
      expect(node.buyer).toMatchObject({ id: entry.buyer.id, displayName: expect.stringMatching(/^BUYER /) });
      expect(node.shippingAddress).toMatchObject({ name: 'Ana Lima', city: 'Lyon' });
      expect(node.lines.every((line) => [mug, bowl].includes(line.product.id))).toBe(true);
      expect(node.lines.reduce((sum, line) => sum + line.quantity, 0)).toBe(entry.potterUnits);
      const subtotal = node.lines.reduce((sum, line) => sum + line.quantity * line.unitPrice.amount, 0);
      expect(node.subtotal).toMatchObject({ amount: subtotal, currency: 'EUR' });
      expect(node.shipment).toBeNull();
    }
    const weaverNodes = await allPages(weaver);
    expect(weaverNodes.map((node) => node.order.id)).toEqual(orders.filter((entry) => entry.weaverUnits > 0).reverse().map((entry) => entry.order.id));
    expect(weaverNodes.flatMap((node) => node.lines.map((line) => line.product.id))).toEqual(weaverNodes.flatMap((node) => node.lines.map(() => scarf)));
  });

  it('should filter by status', async () => {
    const paid = await allPages(potter, 'PAID');
    expect(paid.map((node) => node.order.id)).toEqual(orders.slice(0, 10).filter((entry) => entry.potterUnits > 0).reverse().map((entry) => entry.order.id));
    expect(paid.every((node) => node.order.status === 'PAID')).toBe(true);
    const pending = await allPages(potter, 'PENDING_PAYMENT');
    expect(pending.length + paid.length).toBe(orders.filter((entry) => entry.potterUnits > 0).length);
  });

  it("should show the shop's shipment once it has shipped, and not the other shop's", async () => {
    const both = orders.find((entry, i) => i < 10 && entry.potterUnits > 0 && entry.weaverUnits > 0)!;
    dataOf(await sendAs(server.graphqlUrl, weaver.owner.token, FulfilOrderDocument, { orderId: both.order.id, input: { carrier: 'DHL', trackingNumber: 'JD1' } }));
    const ofWeaver = (await allPages(weaver)).find((node) => node.order.id === both.order.id)!;
    expect(ofWeaver.shipment).toMatchObject({ carrier: 'DHL', trackingNumber: 'JD1' });
    const ofPotter = (await allPages(potter)).find((node) => node.order.id === both.order.id)!;
    expect(ofPotter.shipment).toBeNull();
  });

  it("should refuse a shop's orders to anyone but its artisan and staff, and never give the buyer's email", async () => {
    const query = `query { shops(first: 10) { edges { node { id orders(first: 5) { edges { node { order { id } } } } } } } }`;
    const asOtherArtisan = await postGraphql(server.graphqlUrl, { query }, { authorization: `Bearer ${weaver.owner.token}` });
    expect(codesIn(asOtherArtisan.body).length).toBeGreaterThan(0);
    expect(new Set(codesIn(asOtherArtisan.body))).toEqual(new Set(['FORBIDDEN']));
    const anonymous = await postGraphql(server.graphqlUrl, { query });
    // As for a user's private fields: null there with FORBIDDEN, whoever asks without the right.
    expect(new Set(codesIn(anonymous.body))).toEqual(new Set(['FORBIDDEN']));
    const email = await postGraphql(
      server.graphqlUrl,
      { query: 'query { me { shop { orders(first: 1) { edges { node { buyer { email } } } } } } }' },
      { authorization: `Bearer ${potter.owner.token}` },
    );
    expect(codesIn(email.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const lines = await postGraphql(
      server.graphqlUrl,
      { query: 'query { me { shop { orders(first: 1) { edges { node { order { lines { quantity } payment { clientSecret } } } } } } } }' },
      { authorization: `Bearer ${potter.owner.token}` },
    );
    expect(new Set(codesIn(lines.body))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
  });

  it('should read a page of 15 orders with their lines, products, buyers and shipments in as few statements as a page of 2', async () => {
    const counted = async (first: number) => {
      counter.reset();
      const response = await postGraphql(server.graphqlUrl, { query: print(ShopOrdersDocument), variables: { first } }, { authorization: `Bearer ${potter.owner.token}` });
      expect(response.body.errors).toBeUndefined();
      return { edges: (response.body.data as ShopOrdersQuery).me!.shop!.orders!.edges.length, count: counter.count, statements: [...counter.statements] };
    };
    await counted(1); // the caller's viewer row is cached from here on
    const large = await counted(15);
    const small = await counted(2);
    expect([large.edges, small.edges]).toEqual([15, 2]);
    expect(large.count).toBe(small.count);
    // The page, its lines, their products, the buyers, the shipments.
    expect(large.count).toBeLessThanOrEqual(5);
  });
});
