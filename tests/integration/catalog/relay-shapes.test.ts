import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import {
  AddToCartDocument,
  CancelOrderDocument,
  CatalogDocument,
  CheckoutDocument,
  CreateProductDocument,
  MyOrdersDocument,
  ProductBySlugDocument,
  ShopBySlugDocument,
} from '../../generated/graphql';
import { createUser, type TestUser } from '../../utils/buyers';
import { postGraphql } from '../../utils/clients';
import { codesOf, dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { runSql } from '../../../src/shared/sql';

describe('what Relay and Apollo clients build on: PageInfo, shop by slug, orders by status, product images', () => {
  let server: TestServer;
  let shop: TestShop;
  let products: string[];

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false', CATALOG_CACHE_TTL_SECONDS: '0' });
    shop = await createShop(server);
    products = await createProducts(server, shop, [{}, {}, {}, {}, {}]);
  });
  afterAll(() => server?.close());

  const catalog = (first: number, after?: string | null) =>
    sendAs(server.graphqlUrl, undefined, CatalogDocument, { first, after, filter: { shopId: shop.id } });

  it("should give every page Relay's four PageInfo fields: nothing before the first page, something before the next", async () => {
    const first = dataOf(await catalog(2)).products;
    expect(first.edges.map((edge) => edge.node.id)).toEqual([products[4], products[3]]);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0]!.cursor, endCursor: first.edges[1]!.cursor });

    const second = dataOf(await catalog(2, first.pageInfo.endCursor)).products;
    expect(second.edges.map((edge) => edge.node.id)).toEqual([products[2], products[1]]);
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true, startCursor: second.edges[0]!.cursor, endCursor: second.edges[1]!.cursor });

    const last = dataOf(await catalog(2, second.pageInfo.endCursor)).products;
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const empty = dataOf(await catalog(2, last.pageInfo.endCursor)).products;
    expect(empty).toMatchObject({ edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null } });
  });

  it('should say that nothing precedes a page when no item of the list comes before its cursor', async () => {
    // A cursor taken from another list (every product) whose item is newer than anything in this shop's list.
    const otherShop = await createShop(server);
    const [newest] = await createProducts(server, otherShop, [{}]);
    const everything = dataOf(await sendAs(server.graphqlUrl, undefined, CatalogDocument, { first: 1 })).products;
    expect(everything.edges[0]!.node.id).toBe(newest);
    const page = dataOf(await catalog(2, everything.pageInfo.endCursor)).products;
    expect(page.edges.map((edge) => edge.node.id)).toEqual([products[4], products[3]]);
    expect(page.pageInfo.hasPreviousPage).toBe(false);
  });

  it("should find a shop by its slug with its products' page, and answer null for an unknown slug", async () => {
    const [slug] = (await runSql<{ slug: string }>(server.database.orm.em.fork(), 'select slug from shop where id = ?', [shop.id])).map((row) => row.slug);
    const firstPage = dataOf(await sendAs(server.graphqlUrl, undefined, ShopBySlugDocument, { slug: slug!, productsFirst: 3 })).shop!;
    expect(firstPage).toMatchObject({ id: shop.id, slug, currency: 'EUR', owner: { id: shop.owner.id } });
    expect(firstPage.products.totalCount).toBe(5);
    expect(firstPage.products.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(firstPage.products.edges[0]!.node).toMatchObject({ id: products[4], stockVersion: 0, images: [] });
    const next = dataOf(
      await sendAs(server.graphqlUrl, undefined, ShopBySlugDocument, { slug: slug!, productsFirst: 3, productsAfter: firstPage.products.pageInfo.endCursor }),
    ).shop!;
    expect(next.products.edges.map((edge) => edge.node.id)).toEqual([products[1], products[0]]);
    expect(next.products.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: next.products.edges[0]!.cursor,
      endCursor: next.products.edges[1]!.cursor,
    });
    expect(dataOf(await sendAs(server.graphqlUrl, undefined, ShopBySlugDocument, { slug: 'no-such-shop', productsFirst: 3 })).shop).toBeNull();
  });

  it("should filter the caller's orders by status, with full PageInfo", async () => {
    const buyer: TestUser = await createUser(server);
    const orderIds: string[] = [];
    for (const [index, productId] of products.slice(0, 3).entries()) {
      dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId: productId!, quantity: 1 }));
      const order = dataOf(await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: `order-${index}`, shippingAddress: ADDRESS } }));
      orderIds.push(order.checkout.id);
    }
    dataOf(await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: orderIds[1]! }));

    const pending = dataOf(await sendAs(server.graphqlUrl, buyer.token, MyOrdersDocument, { first: 1, status: 'PENDING_PAYMENT' })).myOrders;
    expect(pending.edges.map((edge) => edge.node.id)).toEqual([orderIds[2]]);
    expect(pending.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const olderPending = dataOf(await sendAs(server.graphqlUrl, buyer.token, MyOrdersDocument, { first: 1, after: pending.pageInfo.endCursor, status: 'PENDING_PAYMENT' })).myOrders;
    expect(olderPending.edges.map((edge) => edge.node.id)).toEqual([orderIds[0]]);
    expect(olderPending.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const cancelled = dataOf(await sendAs(server.graphqlUrl, buyer.token, MyOrdersDocument, { first: 10, status: 'CANCELLED' })).myOrders;
    expect(cancelled.edges.map((edge) => [edge.node.id, edge.node.status])).toEqual([[orderIds[1], 'CANCELLED']]);
    const all = dataOf(await sendAs(server.graphqlUrl, buyer.token, MyOrdersDocument, { first: 10 })).myOrders;
    expect(all.edges.map((edge) => edge.node.id)).toEqual([...orderIds].reverse());
  });

  it("should answer Relay's hasPreviousPage after a cursor on a shop's orders and on a product's stock ledger too", async () => {
    const buyer = await createUser(server);
    for (const index of [1, 2]) {
      dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId: products[3]!, quantity: 1 }));
      dataOf(await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: `ledger-${index}`, shippingAddress: ADDRESS } }));
    }
    const pageInfo = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
    const asOwner = async (query: string) => {
      const { body } = await postGraphql(server.graphqlUrl, { query }, { authorization: `Bearer ${shop.owner.token}` });
      expect(body.errors).toBeUndefined();
      return body.data as Record<string, any>;
    };
    const orders = async (after: string | null) =>
      (await asOwner(`{ me { shop { orders(first: 1${after ? `, after: "${after}"` : ''}) { ${pageInfo} } } } }`)).me.shop.orders.pageInfo;
    const firstOrders = await orders(null);
    expect(firstOrders).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(await orders(firstOrders.endCursor)).toMatchObject({ hasPreviousPage: true, startCursor: expect.any(String) });

    const ledger = async (after: string | null) =>
      (await asOwner(`{ stockMovements(productId: "${products[3]}", first: 1${after ? `, after: "${after}"` : ''}) { ${pageInfo} } }`)).stockMovements.pageInfo;
    const firstMovements = await ledger(null);
    expect(firstMovements).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(await ledger(firstMovements.endCursor)).toMatchObject({ hasPreviousPage: true, startCursor: expect.any(String) });
  });

  describe('product images', () => {
    let artisan: TestUser;
    let categoryId: string;

    beforeAll(async () => {
      artisan = (await createShop(server)).owner;
      [{ id: categoryId }] = (await runSql<{ id: string }>(server.database.orm.em.fork(), "select id from category where slug = 'test-goods'")) as [{ id: string }];
    });

    const create = (images: { url: string; alt: string }[] | null) =>
      sendAs(server.graphqlUrl, artisan.token, CreateProductDocument, {
        input: { title: 'Glazed bowl', priceAmount: 2_400, categoryId, initialStock: 3, images },
      });

    it('should keep up to 8 https images with their alt text, in order, and show them where a query reads the product', async () => {
      const images = Array.from({ length: 8 }, (_, i) => ({ url: `https://cdn.example.test/bowl-${i}.jpg`, alt: `The bowl, view ${i + 1}` }));
      const created = dataOf(await create(images)).createProduct;
      expect(created).toMatchObject({ available: 3, stockVersion: 0, images });
      const bySlug = dataOf(await sendAs(server.graphqlUrl, undefined, ProductBySlugDocument, { slug: created.slug })).product;
      expect(bySlug).toMatchObject({ id: created.id, stockVersion: 0, images });
      expect(dataOf(await create(null)).createProduct.images).toEqual([]);
    });

    it('should refuse more than 8 images, a URL that is not https and an over-long alt text, naming each field', async () => {
      const nine = Array.from({ length: 9 }, (_, i) => ({ url: `https://cdn.example.test/${i}.jpg`, alt: '' }));
      const tooMany = await create(nine);
      expect(codesOf(tooMany)).toEqual(['BAD_USER_INPUT']);
      expect(tooMany.errors[0]!.extensions?.field).toBe('input.images');

      const bad = await create([
        { url: 'https://cdn.example.test/ok.jpg', alt: 'fine' },
        { url: 'http://cdn.example.test/plain.jpg', alt: 'not https' },
        { url: 'https://cdn.example.test/long.jpg', alt: 'x'.repeat(301) },
      ]);
      expect(codesOf(bad)).toEqual(['BAD_USER_INPUT']);
      expect(bad.errors[0]!.extensions?.field).toBe('input.images.1.url');
      expect(bad.errors[0]!.extensions?.fields).toEqual([
        { field: 'input.images.1.url', message: 'url must be an https URL' },
        { field: 'input.images.2.alt', message: expect.stringContaining('300') },
      ]);
      expect(await runSql(server.database.orm.em.fork(), "select 1 from product where title = 'Glazed bowl' and jsonb_array_length(images) > 8")).toEqual([]);
    });
  });
});
