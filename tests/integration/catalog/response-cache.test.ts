import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { startStatementCounter, type StatementCounter } from '../../../bench/lib/pg-statement-counter';
import { seedDemoCatalog } from '../../fixtures/catalog';
import { Product } from '../../../src/modules/catalog/product.entity';
import { runSql } from '../../../src/shared/sql';
import {
  AddToCartDocument,
  AdjustStockDocument,
  CatalogDocument,
  CheckoutDocument,
  CategoriesDocument,
  CreateProductDocument,
  CreateShopDocument,
  ProductBySlugDocument,
  ShopsDocument,
  UpdateProductDocument,
} from '../../generated/graphql';
import { ADDRESS } from '../../fixtures/addresses';
import { signUp, type TestAccount } from '../../utils/accounts';
import { postGraphql } from '../../utils/clients';
import { startCountedPair, startCountedServer, type CountedPair, type CountedServer } from '../../utils/counted-server';
import { createTestDatabase, type TestDatabase } from '../../utils/database';
import { send } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

interface CachedRead<R> {
  data: R;
  /** The `X-Cache` header: `HIT`, `MISS`, or null when the request was not cacheable. */
  cache: string | null;
  /** Statements PostgreSQL received for this request alone. */
  statements: number;
}

/** Sends one operation as a raw POST and reports how it was answered: from the cache or from PostgreSQL. */
async function read<R, V>(
  server: TestServer,
  counter: StatementCounter,
  document: TypedDocumentNode<R, V>,
  variables: V,
  headers: Record<string, string> = {},
): Promise<CachedRead<R>> {
  counter.reset();
  const response = await postGraphql(server.graphqlUrl, { query: print(document), variables }, headers);
  expect(response.body.errors).toBeUndefined();
  expect(response.status).toBe(200);
  return { data: response.body.data as R, cache: response.headers.get('x-cache'), statements: counter.count };
}

/**
 * Reads until the cache answers. A write bumps the writer's catalogue version when it commits, and again when its
 * notification comes back through the relay a moment later: a read that overlapped that second bump is not kept.
 */
async function readUntilCached<R, V>(server: TestServer, counter: StatementCounter, document: TypedDocumentNode<R, V>, variables: V): Promise<CachedRead<R>> {
  let last = await read(server, counter, document, variables);
  await waitFor(async () => (last = await read(server, counter, document, variables)).cache === 'HIT', 3_000, 'a cache HIT', 20);
  return last;
}

const newProduct = (categoryId: string, title: string) => ({ title, priceAmount: 2_400, categoryId, initialStock: 5 });

async function artisanWithShop(server: TestServer, name: string): Promise<TestAccount> {
  const artisan = await signUp(server, { role: 'ARTISAN' });
  const shop = await send(server, CreateShopDocument, { input: { name, country: 'FR', currency: 'EUR' } }, { token: artisan.token });
  if (!shop.data) throw new Error(JSON.stringify(shop.errors));
  return artisan;
}

describe('the public response cache of the catalogue', () => {
  let setup: CountedServer;
  let counter: StatementCounter;
  let server: TestServer;
  let categoryId: string;

  beforeAll(async () => {
    setup = await startCountedServer();
    ({ counter, server } = setup);
    await seedDemoCatalog(server.database.orm, { products: 40 });
    // The load's notification has come back once a read is cached: no test below starts with it in flight.
    await readUntilCached(server, counter, CategoriesDocument, {});
    categoryId = (await send(server, CategoriesDocument, {})).data!.categories[0]!.id;
  });
  afterAll(() => setup?.close());

  it('should answer a repeated anonymous Catalog query from memory, without a single SQL statement', async () => {
    const first = await read(server, counter, CatalogDocument, { first: 20 });
    expect(first.cache).toBe('MISS');
    expect(first.statements).toBeGreaterThan(0);
    const second = await read(server, counter, CatalogDocument, { first: 20 });
    expect(second).toEqual({ data: first.data, cache: 'HIT', statements: 0 });
    // Another page is another answer.
    expect((await read(server, counter, CatalogDocument, { first: 19 })).cache).toBe('MISS');
  });

  it('should take variables that differ only in the order of their keys for the same query', async () => {
    const first = await read(server, counter, CatalogDocument, { first: 5, filter: { inStockOnly: true, categoryId } });
    const reordered = await read(server, counter, CatalogDocument, { filter: { categoryId, inStockOnly: true }, first: 5 });
    expect(first.cache).toBe('MISS');
    expect(reordered).toEqual({ data: first.data, cache: 'HIT', statements: 0 });
  });

  it('should never cache a request that carries an Authorization header, even one whose query is cached for anonymous callers', async () => {
    const buyer = await signUp(server);
    await read(server, counter, CatalogDocument, { first: 3 });
    expect((await read(server, counter, CatalogDocument, { first: 3 })).cache).toBe('HIT');
    for (const authorization of [`Bearer ${buyer.token}`, `Bearer ${buyer.token}`, 'Bearer not-a-token']) {
      const withToken = await read(server, counter, CatalogDocument, { first: 3 }, { authorization });
      expect(withToken.cache).toBeNull();
      expect(withToken.statements).toBeGreaterThan(0);
    }
  });

  it('should answer a signed-in Catalog, Shops and ProductBySlug (executed) with the very data of the anonymous ones (cached), as the entities say', async () => {
    const buyer = await signUp(server);
    const signedIn = { authorization: `Bearer ${buyer.token}` };
    const reads = [
      [CatalogDocument, { first: 25 }],
      [CatalogDocument, { first: 5, filter: { categoryId, inStockOnly: true } }],
      [ShopsDocument, { first: 3, productsFirst: 4 }],
    ] as const;
    for (const [document, variables] of reads) {
      await read(server, counter, document as never, variables as never);
      const anonymous = await read(server, counter, document as never, variables as never);
      expect(anonymous.cache).toBe('HIT');
      const executed = await read(server, counter, document as never, variables as never, signedIn);
      expect(executed.cache).toBeNull();
      expect(executed.data).toEqual(anonymous.data);
    }

    // The catalogue's plain-row reads against MikroORM's entities of the same rows.
    const catalog = await read(server, counter, CatalogDocument, { first: 25 }, signedIn);
    const em = server.database.orm.em.fork();
    const entities = await em.find(Product, { archived: false }, { orderBy: { id: 'desc' }, limit: 25, populate: ['shop', 'category'] });
    expect(catalog.data.products.totalCount).toBe(await em.count(Product, { archived: false }));
    expect(catalog.data.products.edges.map(({ node }) => node)).toEqual(
      entities.map((product) => ({
        id: product.id,
        title: product.title,
        slug: product.slug,
        price: { amount: product.priceAmount, currency: product.currency },
        available: product.available,
        shop: { id: product.shop.id, name: product.shop.$.name, slug: product.shop.$.slug, country: product.shop.$.country },
        category: { id: product.category.id, name: product.category.$.name, slug: product.category.$.slug },
      })),
    );
    const { slug } = entities[0]!;
    const product = await read(server, counter, ProductBySlugDocument, { slug }, signedIn);
    expect(product.data).toEqual((await read(server, counter, ProductBySlugDocument, { slug })).data);
    expect(product.data.product).toMatchObject({ id: entities[0]!.id, description: entities[0]!.description, stockVersion: entities[0]!.stockVersion, images: entities[0]!.images });
  });

  it('should never cache a mutation, nor a query that reaches beyond the public catalogue', async () => {
    const artisan = await artisanWithShop(server, 'Mutation Works');
    const created = [];
    for (let i = 0; i < 2; i += 1) {
      const response = await postGraphql(
        server.graphqlUrl,
        { query: print(CreateProductDocument), variables: { input: newProduct(categoryId, 'Twice the same mug') } },
        { authorization: `Bearer ${artisan.token}` },
      );
      expect(response.headers.get('x-cache')).toBeNull();
      created.push((response.body.data as { createProduct: { id: string } }).createProduct.id);
    }
    expect(new Set(created).size).toBe(2);
    // Anonymous, but asking for `me` beside the catalogue: executed, never stored.
    for (let i = 0; i < 2; i += 1) {
      const mixed = await postGraphql(server.graphqlUrl, { query: '{ products(first: 1) { totalCount } me { id } }' });
      expect(mixed.headers.get('x-cache')).toBeNull();
      // An anonymous `me` is null (no error), yet `me` is no catalogue field: executed, never cached.
      expect(mixed.body.errors).toBeUndefined();
      expect((mixed.body.data as { me: unknown }).me).toBeNull();
    }
    // `{ __typename }` alone costs less to execute than to look up.
    const typename = await postGraphql(server.graphqlUrl, { query: '{ __typename }' });
    expect(typename.headers.get('x-cache')).toBeNull();
  });

  it('should show a product that an artisan creates in the very next anonymous Catalog', async () => {
    const artisan = await artisanWithShop(server, 'Fresh Kiln');
    const before = await read(server, counter, CatalogDocument, { first: 10 });
    await readUntilCached(server, counter, CatalogDocument, { first: 10 });
    const created = await send(server, CreateProductDocument, { input: newProduct(categoryId, 'Brand-new bowl') }, { token: artisan.token });
    const after = await read(server, counter, CatalogDocument, { first: 10 });
    expect(after.cache).toBe('MISS');
    expect(after.data.products.totalCount).toBe(before.data.products.totalCount + 1);
    expect(after.data.products.edges[0]?.node).toMatchObject({ id: created.data!.createProduct.id, title: 'Brand-new bowl' });
    await readUntilCached(server, counter, CatalogDocument, { first: 10 });
  });

  it('should show stock taken by a checkout and given back by an adjustment in the very next anonymous ProductBySlug', async () => {
    const artisan = await artisanWithShop(server, 'Stock Kiln');
    const created = (await send(server, CreateProductDocument, { input: newProduct(categoryId, 'Counted cup') }, { token: artisan.token })).data!.createProduct;
    const bySlug = { slug: created.slug };
    expect((await read(server, counter, ProductBySlugDocument, bySlug)).data.product?.available).toBe(5);
    await readUntilCached(server, counter, ProductBySlugDocument, bySlug);

    const buyer = await signUp(server);
    await send(server, AddToCartDocument, { productId: created.id, quantity: 2 }, { token: buyer.token });
    const checkout = await send(server, CheckoutDocument, { input: { idempotencyKey: 'cache-1', shippingAddress: ADDRESS } }, { token: buyer.token });
    expect(checkout.errors).toBeUndefined();
    const afterSale = await read(server, counter, ProductBySlugDocument, bySlug);
    expect(afterSale).toMatchObject({ cache: 'MISS', data: { product: { available: 3 } } });

    const adjusted = await send(server, AdjustStockDocument, { productId: created.id, delta: 4, reason: 'kiln batch' }, { token: artisan.token });
    expect(adjusted.errors).toBeUndefined();
    expect((await read(server, counter, ProductBySlugDocument, bySlug)).data.product?.available).toBe(7);
  });

  it("should show an artisan's update in the very next anonymous ProductBySlug and Catalog", async () => {
    const artisan = await artisanWithShop(server, 'Update Studio');
    const created = (await send(server, CreateProductDocument, { input: newProduct(categoryId, 'Linen towel') }, { token: artisan.token })).data!.createProduct;
    await read(server, counter, ProductBySlugDocument, { slug: created.slug });
    await read(server, counter, CatalogDocument, { first: 4 });
    await readUntilCached(server, counter, ProductBySlugDocument, { slug: created.slug });
    await readUntilCached(server, counter, CatalogDocument, { first: 4 });

    await send(server, UpdateProductDocument, { id: created.id, input: { title: 'Linen towel, washed', priceAmount: 3_100 } }, { token: artisan.token });

    const bySlug = await read(server, counter, ProductBySlugDocument, { slug: created.slug });
    expect(bySlug.cache).toBe('MISS');
    expect(bySlug.data.product).toMatchObject({ title: 'Linen towel, washed', price: { amount: 3_100, currency: 'EUR' } });
    const catalog = await read(server, counter, CatalogDocument, { first: 4 });
    expect(catalog.data.products.edges.find((edge) => edge.node.id === created.id)?.node.price.amount).toBe(3_100);
  });

  it('should show a shop that an artisan opens in the very next anonymous Shops', async () => {
    const variables = { first: 3, productsFirst: 1 };
    await read(server, counter, ShopsDocument, variables);
    await readUntilCached(server, counter, ShopsDocument, variables);
    await artisanWithShop(server, 'Newest Loom');
    const after = await read(server, counter, ShopsDocument, variables);
    expect(after.cache).toBe('MISS');
    expect(after.data.shops.edges[0]?.node.name).toBe('Newest Loom');
  });
});

describe('the public response cache when turned off or expiring', () => {
  let database: TestDatabase;
  let counter: StatementCounter;

  beforeAll(async () => {
    database = await createTestDatabase();
    counter = await startStatementCounter(database.url);
  });
  afterAll(async () => {
    await counter?.close();
    await database?.drop();
  });

  it('should execute every request against PostgreSQL when CATALOG_CACHE_TTL_SECONDS=0', async () => {
    const server = await startTestServer({ DATABASE_URL: counter.url, RUN_WORKER: 'false', CATALOG_CACHE_TTL_SECONDS: '0' }, database);
    try {
      for (let i = 0; i < 3; i += 1) {
        const response = await read(server, counter, CatalogDocument, { first: 20 });
        expect(response.cache).toBeNull();
        expect(response.statements).toBeGreaterThan(0);
      }
    } finally {
      await server.close();
    }
  });

  it('should show a product renamed by hand in SQL, outside the API, once its notification arrives', async () => {
    // A database of its own, in which the default TTL (30 s) outlives the test.
    const server = await startTestServer({ RUN_WORKER: 'false' });
    try {
      await seedDemoCatalog(server.database.orm, { products: 10 });
      const catalog = () => postGraphql(server.graphqlUrl, { query: print(CatalogDocument), variables: { first: 1 } });
      const firstProductOf = (response: Awaited<ReturnType<typeof catalog>>) => (response.body.data as { products: { edges: { node: { id: string; title: string } }[] } }).products.edges[0]!.node;
      // The demo catalogue's own notification may arrive after the first read: read until the cache answers.
      let cached = await catalog();
      await waitFor(async () => (cached = await catalog()).headers.get('x-cache') === 'HIT', 3_000, 'a cache HIT', 20);
      const product = firstProductOf(cached);
      // The table's trigger notifies the change in its transaction, whoever writes: the API, the worker, a script.
      await runSql(server.database.orm.em.fork(), 'update product set title = ? where id = ?', ['Renamed in SQL', product.id]);
      await waitFor(async () => firstProductOf(await catalog()).title === 'Renamed in SQL', 3_000, 'the SQL change to show');
    } finally {
      await server.close();
    }
  });

  it('should stop serving an answer after its TTL, even when the notification of a write was lost', async () => {
    const server = await startTestServer({ DATABASE_URL: counter.url, RUN_WORKER: 'false', CATALOG_CACHE_TTL_SECONDS: '1' }, database);
    try {
      await seedDemoCatalog(server.database.orm, { products: 10 });
      // The demo catalogue's own notification may arrive after the first read: read until the cache answers.
      const before = await readUntilCached(server, counter, CatalogDocument, { first: 1 });
      const product = before.data.products.edges[0]!.node;
      // Triggers off for this transaction (`session_replication_role = replica`): the change is never notified, as
      // if its notification were lost with no outage to tell of it.
      await server.database.orm.em.fork().transactional(async (em) => {
        await runSql(em, 'set local session_replication_role = replica');
        await runSql(em, 'update product set title = ? where id = ?', ['Renamed by hand', product.id]);
      });
      // Nobody heard of it: the cached answer stands, for the TTL at most.
      expect((await read(server, counter, CatalogDocument, { first: 1 })).data).toEqual(before.data);
      const started = Date.now();
      await waitFor(async () => (await read(server, counter, CatalogDocument, { first: 1 })).data.products.edges[0]?.node.title === 'Renamed by hand', 3_000, 'the hand-made change to show');
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      await server.close();
    }
  });
});

describe('the public response cache across two instances sharing Redis', () => {
  let pair: CountedPair;
  let instanceA: TestServer;
  let instanceB: TestServer;
  let counterB: StatementCounter;
  let categoryId: string;

  beforeAll(async () => {
    // B reaches the shared database through a statement counter: what its cache saves is counted there.
    pair = await startCountedPair();
    ({ instanceA, instanceB, counterB } = pair);
    await seedDemoCatalog(instanceA.database.orm, { products: 20 });
    categoryId = (await send(instanceA, CategoriesDocument, {})).data!.categories[0]!.id;
  });
  afterAll(() => pair?.close());

  it("should drop instance B's cached answers within 500 ms of a write on instance A", async () => {
    const artisan = await artisanWithShop(instanceA, 'Two Rivers');
    const created = (await send(instanceA, CreateProductDocument, { input: newProduct(categoryId, 'River stone') }, { token: artisan.token })).data!.createProduct;
    // The creation's own invalidation may reach B after its first read (and drop what that read cached): read until
    // B answers from its cache, which is where this test starts.
    let cached = await read(instanceB, counterB, ProductBySlugDocument, { slug: created.slug });
    await waitFor(async () => (cached = await read(instanceB, counterB, ProductBySlugDocument, { slug: created.slug })).cache === 'HIT', 2_000, 'a cache HIT on B', 20);
    expect(cached.cache).toBe('HIT');
    expect(cached.data.product?.price.amount).toBe(2_400);

    const updated = await send(instanceA, UpdateProductDocument, { id: created.id, input: { priceAmount: 9_900 } }, { token: artisan.token });
    expect(updated.errors).toBeUndefined();
    const started = Date.now();
    await waitFor(async () => (await read(instanceB, counterB, ProductBySlugDocument, { slug: created.slug })).data.product?.price.amount === 9_900, 2_000, 'the new price on B', 20);
    expect(Date.now() - started).toBeLessThan(500);
    // And B caches the new answer again. The write's notification reaches B through the relay, maybe after A has
    // answered: a read that overlapped it is not kept (it was tagged with the version before), so read until a HIT.
    await waitFor(async () => {
      const again = await read(instanceB, counterB, ProductBySlugDocument, { slug: created.slug });
      return again.cache === 'HIT' && again.data.product?.price.amount === 9_900;
    }, 2_000, 'the new price cached on B', 20);
  });
});
