import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../src/modules/accounts/user.entity';
import { ADDRESS } from '../fixtures/addresses';
import { createProduct, createShop, type TestShop } from '../fixtures/shops';
import { AddToCartDocument, BanUserDocument, CheckoutDocument, LogInDocument, MeDocument, UpdateProductDocument } from '../generated/graphql';
import { signUp, TEST_PASSWORD } from '../utils/accounts';
import { createUser, type TestUser } from '../utils/buyers';
import { startCluster, type Cluster } from '../utils/cluster';
import { codesOf, send } from '../utils/operations';
import type { TestRedis } from '../utils/redis-server';
import type { TestServer } from '../utils/test-server';
import { timed } from '../utils/timing';

/** What each request may take while Redis is frozen: its commands give up after REDIS_COMMAND_TIMEOUT_MS (250). */
const BOUND_MS = 1_000;

/**
 * Redis stopped by SIGSTOP: connections stay open and nothing is answered, so node-redis fails nothing by itself.
 * Every command has its own deadline, after which the fallback answers: no request hangs, and a ban counts at once.
 */
describe('two instances whose Redis is frozen', () => {
  let cluster: Cluster;
  let redis: TestRedis;
  let instanceA: TestServer;
  let instanceB: TestServer;
  let admin: TestUser;
  let shop: TestShop;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, redis: true });
    ({ redis, instances: [instanceA, instanceB] } = cluster);
    admin = await createUser(instanceA, Role.ADMIN);
    shop = await createShop(instanceA);
  });
  // Always, whatever failed: a frozen Redis would hang every later test and the teardown.
  afterEach(() => redis?.thaw());
  afterAll(async () => {
    redis?.thaw();
    await cluster?.close();
  });

  it('should answer logIn, banUser, updateProduct and checkout within a second each, and the ban counts at once on both instances', async () => {
    const victim = await signUp(instanceA);
    const buyer = await createUser(instanceA);
    const productId = await createProduct(instanceA, shop, { stock: 5 });
    expect((await send(instanceB, AddToCartDocument, { productId, quantity: 1 }, { token: buyer.token })).errors).toBeUndefined();
    // The victim's viewer is cached on both instances, stamped with its generation in Redis.
    for (const instance of [instanceA, instanceB]) expect((await send(instance, MeDocument, {}, { token: victim.token })).data?.me?.id).toBe(victim.id);

    redis.freeze();
    const logIn = await timed(() => send(instanceA, LogInDocument, { email: victim.email, password: TEST_PASSWORD }));
    expect(logIn.value.data?.logIn?.user.id).toBe(victim.id);
    const ban = await timed(() => send(instanceA, BanUserDocument, { userId: victim.id, reason: 'fraud' }, { token: admin.token }));
    expect(ban.value.data?.banUser).toEqual({ id: victim.id, status: 'BANNED' });
    const refusedOnB = await timed(() => send(instanceB, MeDocument, {}, { token: victim.token }));
    expect(refusedOnB.value.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
    expect(codesOf(await send(instanceA, MeDocument, {}, { token: victim.token }))).toEqual(['FORBIDDEN']);
    const update = await timed(() => send(instanceB, UpdateProductDocument, { id: productId, input: { title: 'Renamed while Redis froze' } }, { token: shop.owner.token }));
    expect(update.value.data?.updateProduct.title).toBe('Renamed while Redis froze');
    const checkout = await timed(() =>
      send(instanceB, CheckoutDocument, { input: { idempotencyKey: 'frozen', shippingAddress: ADDRESS } }, { token: buyer.token }),
    );
    expect(checkout.value.data?.checkout.status).toBe('PENDING_PAYMENT');

    const took = { logIn: logIn.ms, ban: ban.ms, refusedOnB: refusedOnB.ms, update: update.ms, checkout: checkout.ms };
    console.log(`Redis frozen: ms per request (bound ${BOUND_MS}): ${JSON.stringify(Object.fromEntries(Object.entries(took).map(([what, ms]) => [what, Math.round(ms)])))}`);
    expect(Object.entries(took).filter(([, ms]) => ms >= BOUND_MS)).toEqual([]);

    // Thawed: the ban still holds everywhere, with Redis answering again.
    redis.thaw();
    for (const instance of [instanceA, instanceB]) {
      expect((await send(instance, MeDocument, {}, { token: victim.token })).errors?.[0]?.extensions?.reason).toBe('ACCOUNT_BANNED');
    }
  });
});
