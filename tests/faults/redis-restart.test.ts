import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { createClient } from 'redis';
import { Role } from '../../src/modules/accounts/user.entity';
import { createProduct, createShop, type TestShop } from '../fixtures/shops';
import { BanUserDocument, CatalogDocument, MeDocument, UpdateProductDocument } from '../generated/graphql';
import { signUp, type TestAccount } from '../utils/accounts';
import { createUser, type TestUser } from '../utils/buyers';
import { postGraphql } from '../utils/clients';
import { startCluster, type Cluster } from '../utils/cluster';
import { send } from '../utils/operations';
import type { TestRedis } from '../utils/redis-server';
import type { TestServer } from '../utils/test-server';
import { waitFor } from '../utils/wait';

/** The viewer generation that Redis holds for a user (what cached viewers are stamped with), read by a client of the test. */
async function generationOf(redis: TestRedis, userId: string): Promise<string | null> {
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    return await client.get(`atelier:viewer-generation:${userId}`);
  } finally {
    client.destroy();
  }
}

const ready = async (server: TestServer) => (await fetch(`${server.baseUrl}/readyz`)).status === 200;
const refusal = async (server: TestServer, account: TestAccount) => (await send(server, MeDocument, {}, { token: account.token })).errors?.[0]?.extensions;

/**
 * A ban (and a catalogue change) made on instance A while Redis is down: A's generation bump and its
 * `catalog-changed` cannot reach Redis. Redis then comes back with its data (an append-only file), so the old
 * generation that instance B's cached viewer is stamped with is there again, still matching.
 */
describe('invalidations made while Redis was down, once Redis is back with its data', () => {
  let cluster: Cluster;
  let redis: TestRedis;
  let instanceA: TestServer;
  let instanceB: TestServer;
  let admin: TestUser;
  let shop: TestShop;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, redis: { persistent: true } });
    ({ redis, instances: [instanceA, instanceB] } = cluster);
    admin = await createUser(instanceA, Role.ADMIN);
    shop = await createShop(instanceA);
  });
  afterAll(() => cluster?.close());

  it('should land the bump that A could not make, once Redis is back', async () => {
    const victim = await signUp(instanceA);
    expect((await send(instanceB, MeDocument, {}, { token: victim.token })).data?.me?.id).toBe(victim.id);
    const before = await generationOf(redis, victim.id);
    expect(before).not.toBeNull();

    await redis.shutDown();
    try {
      const ban = await send(instanceA, BanUserDocument, { userId: victim.id, reason: 'fraud' }, { token: admin.token });
      expect(ban.data?.banUser.status).toBe('BANNED');
      expect(await refusal(instanceB, victim)).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
    } finally {
      await redis.startAgain();
    }
    // A sends its bump again until Redis takes it: B's entries stamped before are stale for good.
    await waitFor(async () => (await generationOf(redis, victim.id)) !== before, 10_000, 'the bump to land');
    expect(await refusal(instanceB, victim)).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
  });

  it('should refuse the banned user on B at the very first request after Redis is back, and show the new catalogue, though A is gone', async () => {
    const victim = await signUp(instanceA);
    const productId = await createProduct(instanceA, shop);
    expect((await send(instanceB, MeDocument, {}, { token: victim.token })).data?.me?.id).toBe(victim.id);
    const catalog = () => postGraphql(instanceB.graphqlUrl, { query: print(CatalogDocument), variables: { first: 5, filter: { shopId: shop.id } } });
    const titles = (response: Awaited<ReturnType<typeof catalog>>) =>
      (response.body.data as { products: { edges: { node: { title: string } }[] } }).products.edges.map((edge) => edge.node.title);
    // The product's notification reaches B through the relay, maybe after B's first read: read until B caches.
    await waitFor(async () => (await catalog()).headers.get('x-cache') === 'HIT', 2_000, 'a cache HIT on B', 20);
    const generation = await generationOf(redis, victim.id);

    await redis.shutDown();
    try {
      expect((await send(instanceA, BanUserDocument, { userId: victim.id, reason: 'fraud' }, { token: admin.token })).data?.banUser.status).toBe('BANNED');
      const update = await send(instanceA, UpdateProductDocument, { id: productId, input: { title: 'Renamed during the outage' } }, { token: shop.owner.token });
      expect(update.errors).toBeUndefined();
      // A dies with its bump and its catalogue change still waiting for Redis: only B can make things right.
      await instanceA.close();
    } finally {
      await redis.startAgain();
    }
    expect(await generationOf(redis, victim.id)).toBe(generation);
    await waitFor(() => ready(instanceB), 15_000, 'B to get Redis back');

    expect(await refusal(instanceB, victim)).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
    const fresh = await catalog();
    expect(fresh.headers.get('x-cache')).toBe('MISS');
    expect(titles(fresh)).toContain('Renamed during the outage');
  });
});
