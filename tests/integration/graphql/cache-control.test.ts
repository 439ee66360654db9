import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { seedDemoCatalog } from '../../fixtures/catalog';
import { CatalogDocument, CategoriesDocument, MeDocument, ProductBySlugDocument, ShopBySlugDocument } from '../../generated/graphql';
import { signUp } from '../../utils/accounts';
import { postGraphql } from '../../utils/clients';
import { startTestServer, type TestServer } from '../../utils/test-server';

const PRIVATE = 'private, no-store';

/** A GET of Apollo Client's persisted-query link (`useGETForHashedQueries`): the hash alone in the URL. */
async function getPersisted(server: TestServer, document: Parameters<typeof print>[0], variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const sha256Hash = createHash('sha256').update(print(document)).digest('hex');
  const params = new URLSearchParams({
    variables: JSON.stringify(variables),
    extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash } }),
  });
  const response = await fetch(`${server.graphqlUrl}?${params}`, { headers: { 'content-type': 'application/json', accept: 'application/json', ...headers } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { data?: unknown; errors?: { message: string }[] } };
}

describe('HTTP caching of GraphQL responses (Cache-Control from cache hints)', () => {
  let server: TestServer;
  let productSlug: string;
  let shopSlug: string;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
    await seedDemoCatalog(server.database.orm, { products: 6 });
    const catalog = await postGraphql(server.graphqlUrl, { query: print(CatalogDocument), variables: { first: 1 } });
    const node = (catalog.body.data as { products: { edges: { node: { slug: string; shop: { slug: string } } }[] } }).products.edges[0]!.node;
    productSlug = node.slug;
    shopSlug = node.shop.slug;
  });
  afterAll(() => server?.close());

  it('should let any cache keep an anonymous catalogue answer for the smallest max-age of its fields', async () => {
    // Stock moves fastest: 10 s wherever `available` or `stockVersion` is selected.
    for (const [query, variables] of [
      [CatalogDocument, { first: 5 }],
      [ProductBySlugDocument, { slug: productSlug }],
      [ShopBySlugDocument, { slug: shopSlug, productsFirst: 3 }],
    ] as const) {
      const response = await postGraphql(server.graphqlUrl, { query: print(query), variables });
      expect(response.body.errors).toBeUndefined();
      expect(response.headers.get('cache-control')).toBe('public, max-age=10');
      // Shared caches keep anonymous answers apart from answers to a token.
      expect(response.headers.get('vary')?.toLowerCase()).toContain('authorization');
    }
    // Categories change rarely: 5 minutes; shops and products without their stock: a minute.
    expect((await postGraphql(server.graphqlUrl, { query: print(CategoriesDocument) })).headers.get('cache-control')).toBe('public, max-age=300');
    const withoutStock = await postGraphql(server.graphqlUrl, {
      query: '{ products(first: 2) { pageInfo { hasNextPage } edges { cursor node { id title price { amount currency } images { url } shop { name owner { displayName } } category { name } } } } }',
    });
    expect(withoutStock.body.errors).toBeUndefined();
    expect(withoutStock.headers.get('cache-control')).toBe('public, max-age=60');
  });

  it('should say the same on a hit of the response cache as on the miss that filled it', async () => {
    const variables = { first: 7 };
    const miss = await postGraphql(server.graphqlUrl, { query: print(CatalogDocument), variables });
    const hit = await postGraphql(server.graphqlUrl, { query: print(CatalogDocument), variables });
    expect([miss.headers.get('x-cache'), hit.headers.get('x-cache')]).toEqual(['MISS', 'HIT']);
    expect(hit.headers.get('cache-control')).toBe(miss.headers.get('cache-control'));
    expect(hit.headers.get('cache-control')).toBe('public, max-age=10');
  });

  it('should make a persisted catalogue query sent by GET cacheable by URL', async () => {
    const variables = { slug: productSlug };
    const unknown = await getPersisted(server, ProductBySlugDocument, variables);
    expect(unknown.body.errors?.[0]?.message).toBe('PersistedQueryNotFound');
    expect(unknown.headers.get('cache-control')).toBe(PRIVATE);

    const sha256Hash = createHash('sha256').update(print(ProductBySlugDocument)).digest('hex');
    await postGraphql(server.graphqlUrl, { query: print(ProductBySlugDocument), variables, extensions: { persistedQuery: { version: 1, sha256Hash } } });
    const byGet = await getPersisted(server, ProductBySlugDocument, variables);
    expect(byGet.status).toBe(200);
    expect(byGet.body.errors).toBeUndefined();
    expect(byGet.headers.get('cache-control')).toBe('public, max-age=10');
  });

  it('should keep anything asked with a token private, even a catalogue query, and even an invalid token', async () => {
    const buyer = await signUp(server);
    for (const authorization of [`Bearer ${buyer.token}`, 'Bearer not-a-token']) {
      const response = await postGraphql(server.graphqlUrl, { query: print(CategoriesDocument) }, { authorization });
      expect(response.headers.get('cache-control')).toBe(PRIVATE);
    }
    const me = await postGraphql(server.graphqlUrl, { query: print(MeDocument) }, { authorization: `Bearer ${buyer.token}` });
    expect(me.body.errors).toBeUndefined();
    expect(me.headers.get('cache-control')).toBe(PRIVATE);
  });

  it('should keep private an anonymous answer that selects a private field', async () => {
    // `me` is PRIVATE: null for anyone anonymous, no error, still never shared.
    const me = await postGraphql(server.graphqlUrl, { query: '{ me { id } categories { id } }' });
    expect(me.body.errors).toBeUndefined();
    expect(me.headers.get('cache-control')).toBe(PRIVATE);
    // The owner's email is PRIVATE (and refused to a stranger, with an error).
    const email = await postGraphql(server.graphqlUrl, { query: `{ shop(slug: "${shopSlug}") { name owner { email } } }` });
    expect(email.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(email.headers.get('cache-control')).toBe(PRIVATE);
    // `__typename` beside the catalogue changes nothing.
    const typename = await postGraphql(server.graphqlUrl, { query: '{ categories { id } __typename }' });
    expect(typename.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('should tell every cache not to store an error or a mutation', async () => {
    const error = await postGraphql(server.graphqlUrl, { query: '{ shops(first: 101) { edges { cursor } } }' });
    expect(error.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
    expect(error.headers.get('cache-control')).toBe(PRIVATE);
    const mutation = await postGraphql(server.graphqlUrl, { query: 'mutation { requestPasswordReset(email: "nobody@example.test") }' });
    expect(mutation.body.errors).toBeUndefined();
    expect(mutation.headers.get('cache-control')).toBe(PRIVATE);
  });
});
