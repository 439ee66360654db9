import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client as WsClient } from 'graphql-ws';
import { Role } from '../../../src/modules/accounts/user.entity';
import { runSql } from '../../../src/shared/sql';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { CancelOrderDocument, FulfilOrderDocument, OrderUpdatesDocument, SetUserRoleDocument, ShopOrderUpdatesDocument } from '../../generated/graphql';
import { payOrder } from '../../utils/artisan';
import { createUser, type TestUser } from '../../utils/buyers';
import { wsClient } from '../../utils/clients';
import { dataOf, sendAs } from '../../utils/operations';
import { checkOut } from '../../utils/order-emails';
import { collect, recordSubscription, within } from '../../utils/subscriptions';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('authorization on every event of OrderUpdates and ShopOrderUpdates', () => {
  let server: TestServer;
  let potter: TestShop;
  let weaver: TestShop;
  let admin: TestUser;
  let mug: string, scarf: string;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    // No periodic check against PostgreSQL during a test: a ban written in SQL (as a lost notification leaves it)
    // would then close the socket from the account hub before the next event, and these tests are about the
    // per-event check that refuses that event.
    server = await startTestServer({ RUN_WORKER: 'false', LIVE_RECONCILE_MS: '600000' });
    [potter, weaver] = [await createShop(server), await createShop(server)];
    [mug] = (await createProducts(server, potter, [{ priceAmount: 1_250, stock: 1_000 }])) as [string];
    [scarf] = (await createProducts(server, weaver, [{ priceAmount: 4_000, stock: 1_000 }])) as [string];
    admin = await createUser(server, Role.ADMIN);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(() => server?.close());

  const client = (token: string) => {
    const made = wsClient(server.wsUrl, token);
    clients.push(made);
    return made;
  };
  const setRole = (userId: string, role: 'BUYER' | 'ARTISAN' | 'SUPPORT') => sendAs(server.graphqlUrl, admin.token, SetUserRoleDocument, { userId, role });
  const cancel = (token: string, id: string) => sendAs(server.graphqlUrl, token, CancelOrderDocument, { id });
  const twoShopOrder = async (buyer: TestUser) =>
    checkOut(server, buyer, [
      { productId: mug, quantity: 2 },
      { productId: scarf, quantity: 1 },
    ]);

  it('should end the OrderUpdates of a SUPPORT user demoted to BUYER with FORBIDDEN, while an ADMIN watching still receives', async () => {
    const buyer = await createUser(server);
    const support = await createUser(server, Role.SUPPORT);
    const order = await twoShopOrder(buyer);
    const supportFeed = collect(client(support.token), OrderUpdatesDocument, { orderId: order.id });
    const adminFeed = collect(client(admin.token), OrderUpdatesDocument, { orderId: order.id });
    // The order as it is comes first.
    expect((await supportFeed.until(1))[0]!.orderUpdated.status).toBe('PENDING_PAYMENT');
    expect((await adminFeed.until(1))[0]!.orderUpdated.status).toBe('PENDING_PAYMENT');
    await payOrder(server, order.id);
    expect((await supportFeed.until(2))[1]!.orderUpdated.status).toBe('PAID');
    expect((await adminFeed.until(2))[1]!.orderUpdated.status).toBe('PAID');

    dataOf(await setRole(support.id, 'BUYER'));
    dataOf(await cancel(buyer.token, order.id));
    expect((await adminFeed.until(3))[2]!.orderUpdated.status).toBe('CANCELLED');
    await supportFeed.until(3);
    expect(supportFeed.data).toHaveLength(2);
    expect(supportFeed.results[2]!.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(supportFeed.results[2]!.data ?? null).toBeNull();
    expect(supportFeed.completed).toBe(true);
  });

  it('should end the OrderUpdates of a banned buyer with FORBIDDEN (ACCOUNT_BANNED) and close its socket, even when the ban broadcast was lost', async () => {
    const buyer = await createUser(server);
    const order = await twoShopOrder(buyer);
    const feed = recordSubscription(server.wsUrl, buyer.token, OrderUpdatesDocument, { orderId: order.id });
    try {
      // The order as it is comes first.
      expect((await feed.result(0)).data?.orderUpdated.status).toBe('PENDING_PAYMENT');
      await payOrder(server, order.id);
      expect((await feed.result(1)).data?.orderUpdated.status).toBe('PAID');
      // As a lost notification of the ban would leave it: banned in the database only.
      await runSql(server.database.orm.em.fork(), `update app_user set status = 'BANNED' where id = ?`, [buyer.id]);
      dataOf(await cancel(admin.token, order.id));
      const ended = await feed.result(2);
      expect(ended.data ?? null).toBeNull();
      expect(ended.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
      expect(await within(feed.closed, 2_000, 'still open')).toBe(4403);
      expect(feed.results).toHaveLength(3);
    } finally {
      await feed.dispose();
    }
  });

  it('should end the OrderUpdates of a logged-out session with UNAUTHENTICATED and its reason, and close its socket with 4401', async () => {
    const buyer = await createUser(server);
    const order = await twoShopOrder(buyer);
    const feed = recordSubscription(server.wsUrl, buyer.token, OrderUpdatesDocument, { orderId: order.id });
    try {
      // The order as it is comes first.
      await feed.result(0);
      await payOrder(server, order.id);
      await feed.result(1);
      await runSql(server.database.orm.em.fork(), 'update auth_session set revoked_at = now() where id = ?', [buyer.sessionId]);
      dataOf(await cancel(admin.token, order.id));
      const ended = await feed.result(2);
      expect(ended.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
      // 4401 as at connection_init (log in again), not a ban's 4403.
      expect(await within(feed.closed, 2_000, 'still open')).toBe(4401);
      expect(feed.results).toHaveLength(3);
    } finally {
      await feed.dispose();
    }
  });

  it("should give the artisan every new order and change of its shop, its part only, and end the feed when the artisan is demoted", async () => {
    const buyer = await createUser(server);
    const feed = collect(client(potter.owner.token), ShopOrderUpdatesDocument, {});
    const other = collect(client(weaver.owner.token), ShopOrderUpdatesDocument, {});
    // Only the weaver's: the potter hears nothing of it.
    const weaverOnly = await checkOut(server, buyer, [{ productId: scarf, quantity: 1 }]);
    const order = await twoShopOrder(buyer);
    const [created] = await feed.until(1);
    expect(created!.shopOrderUpdated).toMatchObject({ order: { id: order.id, number: order.number, status: 'PENDING_PAYMENT' }, subtotal: { amount: 2_500, currency: 'EUR' }, shipment: null });
    await payOrder(server, order.id);
    expect((await feed.until(2))[1]!.shopOrderUpdated.order.status).toBe('PAID');
    dataOf(await sendAs(server.graphqlUrl, potter.owner.token, FulfilOrderDocument, { orderId: order.id, input: { carrier: 'La Poste', trackingNumber: '6A1' } }));
    const shipped = (await feed.until(3))[2]!.shopOrderUpdated;
    expect(shipped.order.status).toBe('PAID');
    expect(shipped.shipment?.shippedAt).toEqual(expect.any(String));
    dataOf(await sendAs(server.graphqlUrl, weaver.owner.token, FulfilOrderDocument, { orderId: order.id, input: { carrier: 'DHL', trackingNumber: 'JD1' } }));
    expect((await feed.until(4))[3]!.shopOrderUpdated.order.status).toBe('FULFILLED');
    expect(feed.data.map((event) => event.shopOrderUpdated.order.id)).toEqual([order.id, order.id, order.id, order.id]);
    // The weaver saw its own order, then the two-shop one with its own subtotal.
    const weaverEvents = await other.until(2);
    expect(weaverEvents.map((event) => event.shopOrderUpdated.order.id).slice(0, 2)).toEqual([weaverOnly.id, order.id]);
    expect(weaverEvents[1]!.shopOrderUpdated.subtotal).toMatchObject({ amount: 4_000 });

    dataOf(await setRole(potter.owner.id, 'BUYER'));
    await twoShopOrder(buyer);
    await feed.until(5);
    expect(feed.results[4]!.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(feed.completed).toBe(true);
    expect(feed.data).toHaveLength(4);
    dataOf(await setRole(potter.owner.id, 'ARTISAN'));
  });

  it('should end the feeds of a demoted user as soon as the role changes, with no event after it, and keep those the new role still allows', async () => {
    const buyer = await createUser(server);
    const support = await createUser(server, Role.SUPPORT);
    const staff = await createUser(server, Role.ADMIN);
    const order = await twoShopOrder(buyer);
    const supportFeed = collect(client(support.token), OrderUpdatesDocument, { orderId: order.id });
    const staffFeed = collect(client(staff.token), OrderUpdatesDocument, { orderId: order.id });
    const artisanFeed = collect(client(weaver.owner.token), ShopOrderUpdatesDocument, {});
    await supportFeed.until(1);
    await staffFeed.until(1);
    // The artisan's feed is live once it hears of an order of its shop.
    const first = await checkOut(server, buyer, [{ productId: scarf, quantity: 1 }]);
    expect((await artisanFeed.until(1))[0]!.shopOrderUpdated.order.id).toBe(first.id);

    dataOf(await setRole(support.id, 'BUYER'));
    dataOf(await setRole(weaver.owner.id, 'BUYER'));
    dataOf(await setRole(staff.id, 'SUPPORT'));
    // Nothing happens to the order or the shop: the role change alone ends the feeds.
    await supportFeed.until(2);
    await artisanFeed.until(2);
    expect(supportFeed.results[1]!.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(artisanFeed.results[1]!.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect([supportFeed.completed, artisanFeed.completed]).toEqual([true, true]);
    dataOf(await setRole(weaver.owner.id, 'ARTISAN'));

    // ADMIN moved to SUPPORT may still watch orders: its feed goes on, and hears the next change.
    dataOf(await cancel(buyer.token, order.id));
    expect((await staffFeed.until(2))[1]!.orderUpdated.status).toBe('CANCELLED');
    expect(staffFeed.results.every((result) => !result.errors)).toBe(true);
    expect(staffFeed.completed).toBe(false);
  });

  it("should end a banned artisan's feed with FORBIDDEN (ACCOUNT_BANNED)", async () => {
    const buyer = await createUser(server);
    const feed = recordSubscription(server.wsUrl, weaver.owner.token, ShopOrderUpdatesDocument, {});
    try {
      await checkOut(server, buyer, [{ productId: scarf, quantity: 1 }]);
      expect((await feed.result(0)).data?.shopOrderUpdated.order.status).toBe('PENDING_PAYMENT');
      await runSql(server.database.orm.em.fork(), `update app_user set status = 'BANNED' where id = ?`, [weaver.owner.id]);
      await checkOut(server, buyer, [{ productId: scarf, quantity: 1 }]);
      expect((await feed.result(1)).errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
      expect(await within(feed.closed, 2_000, 'still open')).toBe(4403);
    } finally {
      await feed.dispose();
    }
  });
});
