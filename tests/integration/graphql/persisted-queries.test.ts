import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { loadDemoCatalog } from '../../../src/modules/catalog/demo-catalog';
import { CategoriesDocument } from '../../generated/graphql';
import { postGraphql } from '../../utils/clients';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe("automatic persisted queries (Apollo Client's createPersistedQueryLink)", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ CATALOG_CACHE_TTL_SECONDS: '0' });
    await loadDemoCatalog(server.database.orm.em.fork(), { products: 3 });
  });
  afterAll(() => server?.close());

  const query = print(CategoriesDocument);
  const sha256Hash = createHash('sha256').update(query).digest('hex');
  const persistedQuery = { version: 1, sha256Hash };

  it('should ask for the text of an unknown hash, keep it once sent, then answer the hash alone over POST and GET', async () => {
    const unknown = await postGraphql(server.graphqlUrl, { extensions: { persistedQuery } });
    expect(unknown.body.errors?.[0]?.message).toBe('PersistedQueryNotFound');

    const registered = await postGraphql(server.graphqlUrl, { query, extensions: { persistedQuery } });
    expect(registered.body.errors).toBeUndefined();
    const categories = (registered.body.data as { categories: unknown[] }).categories;
    expect(categories.length).toBeGreaterThan(0);

    const byHash = await postGraphql(server.graphqlUrl, { extensions: { persistedQuery } });
    expect(byHash.body).toEqual({ data: { categories }, extensions: { cost: expect.any(Object) } });

    // GET, as the link sends queries with useGETForHashedQueries (a CDN can cache it); CSRF prevention wants a header.
    const url = `${server.graphqlUrl}?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery }))}`;
    const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true', accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { categories }, extensions: { cost: expect.any(Object) } });
  });

  it('should refuse a text that does not match its hash', async () => {
    const mismatch = await postGraphql(server.graphqlUrl, { query: '{ categories { id } }', extensions: { persistedQuery } });
    expect(mismatch.body.data).toBeUndefined();
    expect(mismatch.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
