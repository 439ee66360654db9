import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import type { StatementCounter } from '../../../bench/lib/pg-statement-counter';
import { seedDemoCatalog } from '../../fixtures/catalog';
import { runSql } from '../../../src/shared/sql';
import { CatalogDocument, CategoriesDocument, CreateProductDocument, CreateShopDocument, type CatalogQuery, type CatalogQueryVariables } from '../../generated/graphql';
import { signUp, type TestAccount } from '../../utils/accounts';
import { postGraphql } from '../../utils/clients';
import { startCountedPair, startCountedServer, type CountedPair, type CountedServer } from '../../utils/counted-server';
import type { TestDatabase } from '../../utils/database';
import { send } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

/** A signed-in Catalog (executed, never the response cache): its totalCount and whether PostgreSQL counted for it. */
async function signedInCatalog(server: TestServer, counter: StatementCounter, buyer: TestAccount, variables: CatalogQueryVariables) {
  counter.reset();
  const response = await postGraphql(server.graphqlUrl, { query: print(CatalogDocument), variables }, { authorization: `Bearer ${buyer.token}` });
  expect(response.body.errors).toBeUndefined();
  const statements = [...counter.statements];
  return {
    products: (response.body.data as CatalogQuery).products,
    statements: statements.length,
    counted: statements.some((sql) => /count\(\*\)/.test(sql)),
  };
}

describe('the exact totalCount of a signed-in Catalog, counted once per filter while the catalogue stands still', () => {
  let setup: CountedServer;
  let database: TestDatabase;
  let counter: StatementCounter;
  let server: TestServer;
  let buyer: TestAccount;
  let artisan: TestAccount;
  let categoryId: string;

  beforeAll(async () => {
    setup = await startCountedServer();
    ({ database, counter, server } = setup);
    await seedDemoCatalog(server.database.orm, { products: 30 });
    buyer = await signUp(server);
    artisan = await signUp(server, { role: 'ARTISAN' });
    const shop = await send(server, CreateShopDocument, { input: { name: 'Counting Kiln', country: 'FR', currency: 'EUR' } }, { token: artisan.token });
    expect(shop.errors).toBeUndefined();
    categoryId = (await send(server, CategoriesDocument, {})).data!.categories[0]!.id;
  });
  afterAll(() => setup?.close());

  /** Reads until a read is answered without counting: the seed's and the shop's notifications have come back. */
  async function settled(variables: CatalogQueryVariables) {
    let last = await signedInCatalog(server, counter, buyer, variables);
    await waitFor(async () => !(last = await signedInCatalog(server, counter, buyer, variables)).counted, 3_000, 'a read without a count', 20);
    return last;
  }

  it('should count a filter in the page statement once, then read pages alone, with the same exact totalCount', async () => {
    const stored = (await runSql<{ n: number }>(server.database.orm.em.fork(), 'select count(*)::int as n from product where not archived'))[0]!.n;
    const again = await settled({ first: 5 });
    expect(again).toMatchObject({ statements: 1, counted: false });
    expect(again.products.totalCount).toBe(stored);
    // Another page of the same filter: the same count, no count read (the second statement is hasPreviousPage's).
    const next = await signedInCatalog(server, counter, buyer, { first: 5, after: again.products.pageInfo.endCursor });
    expect(next).toMatchObject({ statements: 2, counted: false });
    expect(next.products.totalCount).toBe(stored);
    // Another filter has a count of its own.
    const inStock = await signedInCatalog(server, counter, buyer, { first: 5, filter: { inStockOnly: true } });
    expect(inStock.counted).toBe(true);
    const inStockCount = (await runSql<{ n: number }>(server.database.orm.em.fork(), 'select count(*)::int as n from product where not archived and available > 0'))[0]!.n;
    expect(inStock.products.totalCount).toBe(inStockCount);
  });

  it("should count again in the very next read after this instance's own write", async () => {
    const before = await settled({ first: 5 });
    const created = await send(server, CreateProductDocument, { input: { title: 'Counted vase', priceAmount: 1_800, categoryId, initialStock: 2 } }, { token: artisan.token });
    expect(created.errors).toBeUndefined();
    const after = await signedInCatalog(server, counter, buyer, { first: 5 });
    expect(after.counted).toBe(true);
    expect(after.products.totalCount).toBe(before.products.totalCount + 1);
    expect(after.products.edges[0]?.node.id).toBe(created.data!.createProduct.id);
  });

  it('should count again once the notification of a change made in SQL, outside the API, arrives', async () => {
    const before = await settled({ first: 5 });
    const newest = before.products.edges[0]!.node.id;
    // The table's trigger notifies the change in its transaction, whoever writes.
    await runSql(server.database.orm.em.fork(), 'update product set archived = true where id = ?', [newest]);
    await waitFor(async () => (await signedInCatalog(server, counter, buyer, { first: 5 })).products.totalCount === before.products.totalCount - 1, 3_000, 'the archived product to leave the count');
  });

  it('should count every time when the catalogue cache is off (CATALOG_CACHE_TTL_SECONDS=0)', async () => {
    const uncached = await startTestServer({ DATABASE_URL: counter.url, RUN_WORKER: 'false', CATALOG_CACHE_TTL_SECONDS: '0' }, database);
    try {
      for (let read = 0; read < 3; read++) expect((await signedInCatalog(uncached, counter, buyer, { first: 5 })).counted).toBe(true);
    } finally {
      await uncached.close();
    }
  });
});

describe('the totalCount of a signed-in Catalog across two instances sharing Redis', () => {
  let pair: CountedPair;

  beforeAll(async () => {
    pair = await startCountedPair();
    await seedDemoCatalog(pair.instanceA.database.orm, { products: 20 });
  });
  afterAll(() => pair?.close());

  it('should count again on instance B within 500 ms of a product created on instance A', async () => {
    const { instanceA, instanceB, counterB } = pair;
    const buyer = await signUp(instanceB);
    const artisan = await signUp(instanceA, { role: 'ARTISAN' });
    expect((await send(instanceA, CreateShopDocument, { input: { name: 'Far Kiln', country: 'FR', currency: 'EUR' } }, { token: artisan.token })).errors).toBeUndefined();
    // B keeps its count once the seed's and the shop's notifications have come by.
    let before = await signedInCatalog(instanceB, counterB, buyer, { first: 5 });
    await waitFor(async () => !(before = await signedInCatalog(instanceB, counterB, buyer, { first: 5 })).counted, 3_000, 'a read without a count on B', 20);

    const categoryId = (await send(instanceA, CategoriesDocument, {})).data!.categories[0]!.id;
    const created = await send(instanceA, CreateProductDocument, { input: { title: 'Far vase', priceAmount: 2_100, categoryId, initialStock: 1 } }, { token: artisan.token });
    expect(created.errors).toBeUndefined();
    const started = Date.now();
    await waitFor(
      async () => (await signedInCatalog(instanceB, counterB, buyer, { first: 5 })).products.totalCount === before.products.totalCount + 1,
      2_000,
      'the new count on B',
      20,
    );
    expect(Date.now() - started).toBeLessThan(500);
  });
});
