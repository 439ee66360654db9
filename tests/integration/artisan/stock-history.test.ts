import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../src/infra/logger';
import { Role } from '../../../src/modules/accounts/user.entity';
import { orderExpiryService } from '../../../src/modules/orders/order-expiry.service';
import { systemScope } from '../../../src/modules/service-scope';
import { createProduct, createShop, type TestShop } from '../../fixtures/shops';
import { AdjustStockDocument, CancelOrderDocument, StockHistoryDocument } from '../../generated/graphql';
import { createUser } from '../../utils/buyers';
import { codesOf, dataOf, sendAs } from '../../utils/operations';
import { checkOut, type CheckedOutOrder } from '../../utils/order-emails';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('the stock ledger, readable (StockHistory)', () => {
  let server: TestServer;
  let shop: TestShop;
  let productId: string;
  let order: CheckedOutOrder;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
    shop = await createShop(server);
    productId = await createProduct(server, shop, { stock: 10 });
    const artisan = shop.owner.token;
    dataOf(await sendAs(server.graphqlUrl, artisan, AdjustStockDocument, { productId, delta: 5, reason: 'Spring firing' }));
    dataOf(await sendAs(server.graphqlUrl, artisan, AdjustStockDocument, { productId, delta: -2, reason: '2 broken in transit' }));
    const buyer = await createUser(server);
    order = await checkOut(server, buyer, [{ productId, quantity: 3 }]);
    dataOf(await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id }));
  });
  afterAll(() => server?.close());

  const history = (token: string | undefined, first = 10, after: string | null = null) =>
    sendAs(server.graphqlUrl, token, StockHistoryDocument, { productId, first, after });

  it('should show the artisan every movement, newest first, with its level, version, note, order number and actor', async () => {
    const { stockMovements } = dataOf(await history(shop.owner.token));
    const rows = stockMovements.edges.map(({ node }) => ({
      delta: node.delta,
      reason: node.reason,
      note: node.note ?? null,
      available: node.available,
      version: node.version,
      orderNumber: node.orderNumber ?? null,
      actor: node.actor ? node.actor.id : null,
    }));
    expect(rows).toEqual([
      { delta: 3, reason: 'CANCELLATION', note: null, available: 13, version: 4, orderNumber: order.number, actor: null },
      { delta: -3, reason: 'SALE', note: null, available: 10, version: 3, orderNumber: order.number, actor: null },
      { delta: -2, reason: 'ADJUSTMENT', note: '2 broken in transit', available: 13, version: 2, orderNumber: null, actor: shop.owner.id },
      { delta: 5, reason: 'RESTOCK', note: 'Spring firing', available: 15, version: 1, orderNumber: null, actor: shop.owner.id },
    ]);
    expect(stockMovements.edges[2]!.node.actor!.displayName).toMatch(/^ARTISAN /);
    expect(stockMovements.pageInfo.hasNextPage).toBe(false);
    for (const { node } of stockMovements.edges) expect(new Date(node.at).getTime()).not.toBeNaN();
  });

  it('should name the order of a reservation released when it expired', async () => {
    const expiring = await createProduct(server, shop, { stock: 4 });
    const expired = await checkOut(server, await createUser(server), [{ productId: expiring, quantity: 1 }]);
    const later = { now: () => new Date(Date.now() + 16 * 60_000) };
    expect(await orderExpiryService.expire(systemScope({ orm: server.database.orm, clock: later, logger: createLogger('silent') }, 'test'), expired.id)).toBe('EXPIRED');
    const { stockMovements } = dataOf(await sendAs(server.graphqlUrl, shop.owner.token, StockHistoryDocument, { productId: expiring, first: 10, after: null }));
    expect(stockMovements.edges.map(({ node }) => [node.reason, node.delta, node.available, node.orderNumber ?? null, node.actor?.id ?? null])).toEqual([
      ['RESERVATION_RELEASED', 1, 4, expired.number, null],
      ['SALE', -1, 3, expired.number, null],
    ]);
  });

  it('should page through the ledger with the cursor', async () => {
    const first = dataOf(await history(shop.owner.token, 3)).stockMovements;
    expect(first.edges.map(({ node }) => node.version)).toEqual([4, 3, 2]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = dataOf(await history(shop.owner.token, 3, first.pageInfo.endCursor)).stockMovements;
    expect(second.edges.map(({ node }) => node.version)).toEqual([1]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(codesOf(await history(shop.owner.token, 3, 'not-a-cursor'))).toEqual(['BAD_USER_INPUT']);
  });

  it('should show it to ADMIN and SUPPORT, and answer NOT_FOUND to another artisan and a buyer, UNAUTHENTICATED to nobody', async () => {
    const [admin, support, buyer] = [await createUser(server, Role.ADMIN), await createUser(server, Role.SUPPORT), await createUser(server)];
    const other = await createShop(server);
    expect(dataOf(await history(admin.token)).stockMovements.edges).toHaveLength(4);
    expect(dataOf(await history(support.token)).stockMovements.edges).toHaveLength(4);
    expect(codesOf(await history(other.owner.token))).toEqual(['NOT_FOUND']);
    expect(codesOf(await history(buyer.token))).toEqual(['NOT_FOUND']);
    expect(codesOf(await history(undefined))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await sendAs(server.graphqlUrl, shop.owner.token, StockHistoryDocument, { productId: 'nope', first: 1 }))).toEqual(['NOT_FOUND']);
  });
});
