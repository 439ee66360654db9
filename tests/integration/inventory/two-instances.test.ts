import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client as WsClient } from 'graphql-ws';
import { createClient } from 'redis';
import { openDatabase } from '../../../src/infra/db/orm';
import { createLogger } from '../../../src/infra/logger';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AddToCartDocument, AdjustStockDocument, CheckoutDocument } from '../../generated/graphql';
import { createUsers, type FixtureTarget } from '../../utils/buyers';
import { wsClient } from '../../utils/clients';
import { createTestDatabase, type TestDatabase } from '../../utils/database';
import { ledgerProblems, movementsOf } from '../../utils/ledger';
import { eventsOf, liveStock } from '../../utils/live-stock';
import { codesOf, dataOf, sendAs } from '../../utils/operations';
import { ensureBuilt } from '../../utils/build';
import { spawnChild, type ChildServer } from '../../utils/processes';
import { startTestRedis, type TestRedis } from '../../utils/redis-server';
import { waitFor } from '../../utils/wait';
import { moduleEntities } from '../../../src/modules/index';

const JWT_SECRET = 'two-instances-test-secret-0123456789abcdef';

/**
 * Two API processes (`node dist/src/main.js`) on two ports over one PostgreSQL, with a real redis-server
 * between them, and the job queue's worker as a third process (`dist/scripts/worker.js`, `npm run worker`).
 */
describe('live stock across two server processes through Redis', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let orm: MikroORM;
  let target: FixtureTarget;
  let a: ChildServer;
  let b: ChildServer;
  let worker: ChildServer;
  let shop: TestShop;
  let ws: WsClient;

  beforeAll(async () => {
    await ensureBuilt();
    [db, redis] = await Promise.all([createTestDatabase(), startTestRedis()]);
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      JWT_SECRET,
      // The workers run in their own process here; the API instances only add jobs.
      RUN_WORKER: 'false',
      RESERVATION_MINUTES: '0.02',
      SHUTDOWN_GRACE_MS: '1000',
    };
    [a, b, worker] = await Promise.all([
      spawnChild('dist/src/main.js', env),
      spawnChild('dist/src/main.js', env),
      spawnChild('dist/scripts/worker.js', { ...env, LOG_LEVEL: 'info' }, { http: false, readyText: 'Atelier worker is running' }),
    ]);
    orm = await openDatabase({ url: db.url, entities: moduleEntities, logger: createLogger('silent') });
    target = { database: { orm }, config: { auth: { jwtSecret: JWT_SECRET } } };
    shop = await createShop(target);
    ws = wsClient(a.wsUrl);
  }, 120_000);

  afterAll(async () => {
    await ws?.dispose();
    await Promise.all([a?.stop(), b?.stop(), worker?.stop()]);
    await orm?.close();
    await Promise.all([redis?.stop(), db?.drop()]);
  });

  it('should deliver to a subscriber on A, in version order and once each, the changes made by checkouts on B', async () => {
    const [probe, item] = await createProducts(target, shop, [{ stock: 0 }, { stock: 20 }]);
    // The probe restocks go to B: the subscription on A is live once one of them arrives.
    const { sub } = await liveStock(ws, { productIds: [probe!, item!] }, { graphqlUrl: b.graphqlUrl, ownerToken: shop.owner.token, productId: probe! });

    // Both instances listen on Redis, and the events travel through it: one relay publishes each of them once.
    const spy = createClient({ url: redis.url });
    await spy.connect();
    const numsub = (await spy.sendCommand(['PUBSUB', 'NUMSUB', 'atelier:stock-changed'])) as [string, number];
    expect(Number(numsub[1])).toBe(2);
    const onRedis: number[] = [];
    await spy.subscribe('atelier:stock-changed', (message) => {
      const event = JSON.parse(message) as { productId: string; version: number };
      if (event.productId === item) onRedis.push(event.version);
    });

    const buyers = await createUsers(target, 8);
    await Promise.all(buyers.map((buyer) => sendAs(b.graphqlUrl, buyer.token, AddToCartDocument, { productId: item!, quantity: 2 }).then(dataOf)));
    const results = await Promise.all(
      buyers.map((buyer) => sendAs(b.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: 'on-b', shippingAddress: ADDRESS } })),
    );
    expect(results.flatMap((result) => codesOf(result))).toEqual([]);
    dataOf(await sendAs(b.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: item!, delta: 3, reason: 'restock on B' }));
    // A closing change: a repeat of any change before it would arrive before it (a product's events come in version order).
    dataOf(await sendAs(b.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: item!, delta: 1, reason: 'closing' }));

    const closing = () => eventsOf(sub, item!).find((e) => e.reason === 'RESTOCK' && e.delta === 1);
    await waitFor(() => closing() !== undefined && onRedis.includes(closing()!.version), 10_000, 'the closing change on A and on Redis');
    // Once each and in order: 1, 2, 3… (the reservations run out after 1.2 s: under load, their releases may come
    // between the sales and the restocks, so the ledger says what each version is).
    const events = eventsOf(sub, item!);
    expect(events.map((e) => e.version)).toEqual(events.map((_, index) => index + 1));
    expect(onRedis).toEqual(onRedis.map((_, index) => index + 1));
    const stored = await movementsOf(orm.em.fork(), item!);
    expect(events.map((e) => [e.version, e.reason, e.delta, e.available])).toEqual(
      stored.slice(0, events.length).map((m) => [m.version, m.reason, m.delta, m.available_after]),
    );
    expect(events.filter((e) => e.reason === 'SALE')).toHaveLength(8);
    expect(events.filter((e) => e.reason === 'RESTOCK').map((e) => e.delta)).toEqual([3, 1]);
    await spy.quit();
  });

  it('should deliver on A the stock returned by the separate worker process when a reservation made on B runs out', async () => {
    const [probe, item] = await createProducts(target, shop, [{ stock: 0 }, { stock: 5 }]);
    const { sub } = await liveStock(ws, { productIds: [probe!, item!] }, { graphqlUrl: b.graphqlUrl, ownerToken: shop.owner.token, productId: probe! });
    const [buyer] = await createUsers(target, 1);
    dataOf(await sendAs(b.graphqlUrl, buyer!.token, AddToCartDocument, { productId: item!, quantity: 4 }));
    dataOf(await sendAs(b.graphqlUrl, buyer!.token, CheckoutDocument, { input: { idempotencyKey: 'expires', shippingAddress: ADDRESS } }));

    await waitFor(() => eventsOf(sub, item!).length >= 2, 15_000, 'the sale and its release on A');
    expect(eventsOf(sub, item!).map((e) => [e.version, e.reason, e.delta, e.available])).toEqual([
      [1, 'SALE', -4, 1],
      [2, 'RESERVATION_RELEASED', 4, 5],
    ]);
    expect(await ledgerProblems(orm.em.fork())).toEqual([]);
  });
});
