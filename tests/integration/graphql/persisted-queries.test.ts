import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { createClient } from 'redis';
import { PERSISTED_QUERIES_REDIS_TTL_SECONDS } from '../../../src/graphql/persisted-queries';
import { seedDemoCatalog } from '../../fixtures/catalog';
import { CategoriesDocument } from '../../generated/graphql';
import { postGraphql } from '../../utils/clients';
import { startCluster, type Cluster } from '../../utils/cluster';
import type { TestRedis } from '../../utils/redis-server';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

describe("automatic persisted queries (Apollo Client's createPersistedQueryLink)", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ CATALOG_CACHE_TTL_SECONDS: '0' });
    await seedDemoCatalog(server.database.orm, { products: 3 });
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

describe('automatic persisted queries shared through Redis between instances', () => {
  let cluster: Cluster;
  let redis: TestRedis;
  let instanceA: TestServer;
  let instanceB: TestServer;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, redis: true, env: { RUN_WORKER: 'false', CATALOG_CACHE_TTL_SECONDS: '0' } });
    ({ redis, instances: [instanceA, instanceB] } = cluster);
    await seedDemoCatalog(instanceA.database.orm, { products: 3 });
  });
  afterAll(async () => {
    redis?.thaw();
    await cluster?.close();
  });

  const persisted = (query: string) => ({ version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') });

  it('should answer on instance B the hash of a text registered on instance A, kept in Redis with an expiry', async () => {
    const query = '{ categories { id name } }';
    const persistedQuery = persisted(query);
    expect((await postGraphql(instanceB.graphqlUrl, { extensions: { persistedQuery } })).body.errors?.[0]?.message).toBe('PersistedQueryNotFound');
    const registered = await postGraphql(instanceA.graphqlUrl, { query, extensions: { persistedQuery } });
    expect(registered.body.errors).toBeUndefined();

    // Apollo registers the text without waiting for Redis: B finds it once the SET has landed.
    const spy = createClient({ url: redis.url });
    await spy.connect();
    try {
      await waitFor(async () => (await spy.get(`atelier:apq:${persistedQuery.sha256Hash}`)) === query, 2_000, 'the text in Redis');
      const ttl = await spy.ttl(`atelier:apq:${persistedQuery.sha256Hash}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(PERSISTED_QUERIES_REDIS_TTL_SECONDS);
    } finally {
      await spy.quit();
    }
    const byHashOnB = await postGraphql(instanceB.graphqlUrl, { extensions: { persistedQuery } });
    expect(byHashOnB.body.errors).toBeUndefined();
    expect(byHashOnB.body.data).toEqual(registered.body.data);
  });

  it('should ask for the text again, within the Redis deadline, while Redis does not answer, and run it when sent', async () => {
    const query = '{ shops(first: 1) { edges { node { id } } } }';
    const persistedQuery = persisted(query);
    redis.freeze();
    try {
      const started = Date.now();
      const unknown = await postGraphql(instanceB.graphqlUrl, { extensions: { persistedQuery } });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(unknown.body.errors?.[0]?.message).toBe('PersistedQueryNotFound');
      const withText = await postGraphql(instanceB.graphqlUrl, { query, extensions: { persistedQuery } });
      expect(withText.body.errors).toBeUndefined();
      // Kept in B's own memory meanwhile: the hash alone works on B at once.
      const byHash = await postGraphql(instanceB.graphqlUrl, { extensions: { persistedQuery } });
      expect(byHash.body.data).toEqual(withText.body.data);
    } finally {
      redis.thaw();
    }
  });
});
