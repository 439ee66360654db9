import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CombinedGraphQLErrors, type ApolloClient } from '@apollo/client';
import type { GraphQLFormattedError } from 'graphql';
import { matchesSearch, readStoredCatalog, seedDemoCatalog, type StoredCatalog, type StoredProduct } from '../../fixtures/catalog';
import {
  CatalogDocument,
  CategoriesDocument,
  ProductBySlugDocument,
  ShopsDocument,
  type CatalogQuery,
  type CatalogQueryVariables,
  type ProductFilter,
  type ShopsQuery,
  type ShopsQueryVariables,
} from '../../generated/graphql';
import { apolloClient } from '../../utils/clients';
import { withoutTypename } from '../../utils/typename';
import { startTestServer, type TestServer } from '../../utils/test-server';

/** 250 products: 5 shops, 12 categories, about a tenth of them out of stock. */
const PRODUCTS = 250;

describe('the catalogue operations of the storefront contract', () => {
  let server: TestServer;
  let client: ApolloClient;
  let stored: StoredCatalog;

  beforeAll(async () => {
    server = await startTestServer();
    await seedDemoCatalog(server.database.orm, { products: PRODUCTS });
    stored = await readStoredCatalog(server.database.orm.em.fork());
    client = apolloClient(server.graphqlUrl);
  });
  afterAll(() => server?.close());

  async function catalogPage(variables: CatalogQueryVariables): Promise<CatalogQuery['products']> {
    const { data, error } = await client.query({ query: CatalogDocument, variables });
    expect(error).toBeUndefined();
    return data!.products;
  }

  /** Every page of Catalog with `filter`, following `endCursor`; the ids in order and each page's totalCount. */
  async function walkCatalog(pageSize: number, filter?: ProductFilter) {
    const ids: string[] = [];
    const totalCounts = new Set<number>();
    let after: string | null | undefined = null;
    for (let page = 0; page < 1_000; page++) {
      const products = await catalogPage({ first: pageSize, after, filter });
      expect(products.edges.length).toBeLessThanOrEqual(pageSize);
      ids.push(...products.edges.map((edge) => edge.node.id));
      totalCounts.add(products.totalCount);
      if (!products.pageInfo.hasNextPage) return { ids, totalCounts };
      expect(products.edges).toHaveLength(pageSize);
      expect(products.pageInfo.endCursor).toBe(products.edges[pageSize - 1]!.cursor);
      after = products.pageInfo.endCursor;
    }
    throw new Error('the catalogue never ended');
  }

  async function catalogErrors(variables: CatalogQueryVariables): Promise<readonly GraphQLFormattedError[]> {
    const { error } = await client.query({ query: CatalogDocument, variables, errorPolicy: 'all' });
    if (!CombinedGraphQLErrors.is(error)) throw new Error(`expected GraphQL errors, got ${String(error)}`);
    return error.errors;
  }

  const idsOf = (products: StoredProduct[]) => products.map((product) => product.id);

  it('should answer Catalog with the newest products, their price, shop and category', async () => {
    const { data, error } = await client.query({ query: CatalogDocument, variables: { first: 10 } });
    expect(error).toBeUndefined();
    expect(data!.products.totalCount).toBe(PRODUCTS);
    expect(data!.products.pageInfo.hasNextPage).toBe(true);
    const expected = stored.products.slice(0, 10);
    expect(data!.products.edges.map((edge) => edge.node.id)).toEqual(idsOf(expected));
    for (const [i, { node }] of withoutTypename(data!.products.edges).entries()) {
      const product = expected[i]!;
      const shop = stored.shops.find((s) => s.id === product.shopId)!;
      const category = stored.categories.find((c) => c.id === product.categoryId)!;
      expect(node).toEqual({
        id: product.id,
        title: product.title,
        slug: product.slug,
        price: { amount: product.priceAmount, currency: product.currency },
        available: product.available,
        shop: { id: shop.id, name: shop.name, slug: shop.slug, country: shop.country },
        category: { id: category.id, name: category.name, slug: category.slug },
      });
    }
  });

  it('should walk every page with after, without duplicates or gaps, with an exact totalCount', async () => {
    const { ids, totalCounts } = await walkCatalog(7);
    expect(ids).toEqual(idsOf(stored.products));
    expect([...totalCounts]).toEqual([PRODUCTS]);
  });

  it('should filter by shop, on every page', async () => {
    const shopId = stored.shops[1]!.id;
    const { ids, totalCounts } = await walkCatalog(9, { shopId });
    const expected = idsOf(stored.products.filter((p) => p.shopId === shopId));
    expect(expected.length).toBeGreaterThan(9);
    expect(ids).toEqual(expected);
    expect([...totalCounts]).toEqual([expected.length]);
  });

  it('should filter by category', async () => {
    const categoryId = stored.categories[3]!.id;
    const { ids, totalCounts } = await walkCatalog(100, { categoryId });
    const expected = idsOf(stored.products.filter((p) => p.categoryId === categoryId));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(expected);
    expect([...totalCounts]).toEqual([expected.length]);
  });

  it('should leave out products with no unit available when inStockOnly is true', async () => {
    const { ids, totalCounts } = await walkCatalog(100, { inStockOnly: true });
    const expected = idsOf(stored.products.filter((p) => p.available > 0));
    expect(expected.length).toBeLessThan(PRODUCTS);
    expect(ids).toEqual(expected);
    expect([...totalCounts]).toEqual([expected.length]);
  });

  it('should combine filters: all of them must match', async () => {
    const { shopId, categoryId } = stored.products.find((p) => p.available > 0)!;
    const { ids } = await walkCatalog(100, { shopId, categoryId, inStockOnly: true });
    const expected = stored.products.filter((p) => p.shopId === shopId && p.categoryId === categoryId && p.available > 0);
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(idsOf(expected));
  });

  it('should search titles and descriptions in full text, every word, ignoring case', async () => {
    const [adjective, noun] = stored.products[0]!.title.split(' ') as [string, string];
    const search = `${adjective.toUpperCase()} ${noun}`;
    const { ids, totalCounts } = await walkCatalog(100, { search });
    const expected = idsOf(stored.products.filter((p) => matchesSearch(p, search)));
    expect(expected).toContain(stored.products[0]!.id);
    expect(expected.length).toBeLessThan(PRODUCTS);
    expect(ids).toEqual(expected);
    expect([...totalCounts]).toEqual([expected.length]);
  });

  it('should search descriptions too', async () => {
    // Descriptions name the shop ("… made by Ana's Clay Studio 3."); titles never do.
    const search = stored.shops[0]!.name.split(' ')[1]!;
    const { ids } = await walkCatalog(100, { search });
    const expected = stored.products.filter((p) => matchesSearch(p, search));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.every((p) => !p.title.toLowerCase().includes(search.toLowerCase()))).toBe(true);
    expect(ids).toEqual(idsOf(expected));
  });

  it('should take tsquery operators in a search as plain text, not fail', async () => {
    const { ids } = await walkCatalog(100, { search: "mug & !| (:*'" });
    const expected = idsOf(stored.products.filter((p) => matchesSearch(p, 'mug')));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(expected);
  });

  it('should find nothing for words that appear nowhere', async () => {
    const { ids, totalCounts } = await walkCatalog(10, { search: 'zeppelin' });
    expect(ids).toEqual([]);
    expect([...totalCounts]).toEqual([0]);
  });

  it('should answer an empty page with a null endCursor when first is 0', async () => {
    const { data } = await client.query({ query: CatalogDocument, variables: { first: 0 } });
    expect(withoutTypename(data!.products)).toEqual({ totalCount: PRODUCTS, pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null }, edges: [] });
  });

  it('should refuse first above 100 with BAD_USER_INPUT naming first', async () => {
    const errors = await catalogErrors({ first: 101 });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first', fields: [{ field: 'first', message: expect.any(String) }] });
  });

  it('should refuse a negative first with BAD_USER_INPUT naming first', async () => {
    const errors = await catalogErrors({ first: -1 });
    expect(errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first', fields: [{ field: 'first', message: expect.any(String) }] });
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    ['well-encoded but not an id', Buffer.from('c1:robert-tables').toString('base64url')],
    ['an id without the cursor prefix', Buffer.from('0190b6a0-0000-7000-8000-000000000000').toString('base64url')],
  ])('should refuse a cursor that is %s with BAD_USER_INPUT naming after', async (_what, after) => {
    const errors = await catalogErrors({ first: 5, after });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after', fields: [{ field: 'after', message: expect.any(String) }] });
  });

  it('should refuse a shop filter that is no id with BAD_USER_INPUT naming the filter field', async () => {
    const errors = await catalogErrors({ first: 5, filter: { shopId: 'not-an-id' } });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.shopId', fields: [{ field: 'filter.shopId', message: expect.any(String) }] });
  });

  it('should answer ProductBySlug with the product, its shop and the shop owner', async () => {
    const product = stored.products[42]!;
    const shop = stored.shops.find((s) => s.id === product.shopId)!;
    const category = stored.categories.find((c) => c.id === product.categoryId)!;
    const { data, error } = await client.query({ query: ProductBySlugDocument, variables: { slug: product.slug } });
    expect(error).toBeUndefined();
    expect(withoutTypename(data!.product)).toEqual({
      id: product.id,
      title: product.title,
      description: product.description,
      price: { amount: product.priceAmount, currency: product.currency },
      available: product.available,
      stockVersion: 0,
      images: [],
      shop: { id: shop.id, name: shop.name, slug: shop.slug, country: shop.country, owner: { id: shop.ownerId, displayName: shop.ownerName } },
      category: { id: category.id, name: category.name, slug: category.slug },
    });
  });

  it('should answer ProductBySlug of an unknown slug with null and no error', async () => {
    const { data, error } = await client.query({ query: ProductBySlugDocument, variables: { slug: 'no-such-product' } });
    expect(error).toBeUndefined();
    expect(withoutTypename(data)).toEqual({ product: null });
  });

  it('should answer Shops with each shop its own first products and exact product count', async () => {
    const { data, error } = await client.query({ query: ShopsDocument, variables: { first: 100, productsFirst: 3 } });
    expect(error).toBeUndefined();
    expect(withoutTypename(data!.shops.pageInfo)).toEqual({ hasNextPage: false, endCursor: expect.any(String) });
    expect(data!.shops.edges.map((edge) => edge.node.id)).toEqual(stored.shops.map((shop) => shop.id));
    for (const { node } of withoutTypename(data!.shops.edges)) {
      const own = stored.products.filter((p) => p.shopId === node.id);
      expect(node.products.totalCount).toBe(own.length);
      expect(node.products.edges.map((edge) => edge.node)).toEqual(
        own.slice(0, 3).map((p) => ({
          id: p.id,
          title: p.title,
          available: p.available,
          price: { amount: p.priceAmount, currency: p.currency },
          category: { id: p.categoryId, name: stored.categories.find((c) => c.id === p.categoryId)!.name },
        })),
      );
    }
  });

  it('should walk Shops page by page with after', async () => {
    const shopsPage = async (variables: ShopsQueryVariables): Promise<ShopsQuery['shops']> =>
      (await client.query({ query: ShopsDocument, variables })).data!.shops;
    const ids: string[] = [];
    let after: string | null | undefined = null;
    let hasNextPage = true;
    while (hasNextPage) {
      const shops = await shopsPage({ first: 2, after, productsFirst: 0 });
      ids.push(...shops.edges.map((edge) => edge.node.id));
      expect(shops.edges.every((edge) => edge.node.products.edges.length === 0)).toBe(true);
      ({ hasNextPage, endCursor: after } = shops.pageInfo);
    }
    expect(ids).toEqual(stored.shops.map((shop) => shop.id));
  });

  it('should refuse productsFirst above 100 in Shops with BAD_USER_INPUT naming first', async () => {
    const { error } = await client.query({ query: ShopsDocument, variables: { first: 2, productsFirst: 101 }, errorPolicy: 'all' });
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    const errors = (error as CombinedGraphQLErrors).errors;
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((e) => e.extensions)).toEqual(errors.map(() => ({ code: 'BAD_USER_INPUT', field: 'first', fields: [{ field: 'first', message: expect.any(String) }] })));
  });

  it('should answer Categories with every category, by name', async () => {
    const { data, error } = await client.query({ query: CategoriesDocument });
    expect(error).toBeUndefined();
    expect(withoutTypename(data!.categories)).toEqual(stored.categories);
    expect(data!.categories).toHaveLength(12);
  });
});
