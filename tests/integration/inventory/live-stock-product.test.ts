import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Client as WsClient } from 'graphql-ws';
import { Product } from '../../../src/modules/catalog/product.entity';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AdjustStockDocument, CatalogDocument } from '../../generated/graphql';
import { wsClient } from '../../utils/clients';
import { eventsOf, liveStock } from '../../utils/live-stock';
import { dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

describe('stockChanged.product: live events that update a normalised client cache', () => {
  let server: TestServer;
  let shop: TestShop;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false', CATALOG_CACHE_TTL_SECONDS: '0' });
    shop = await createShop(server);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(() => server?.close());

  const ws = () => {
    const client = wsClient(server.wsUrl);
    clients.push(client);
    return client;
  };

  it('should carry the product as a query returns it, read once per event however many subscribers', async () => {
    const [probe, mug] = await createProducts(server, shop, [{ stock: 0 }, { stock: 10 }]);
    const probeOf = { graphqlUrl: server.graphqlUrl, ownerToken: shop.owner.token, productId: probe! };
    const subscribers: Awaited<ReturnType<typeof liveStock>>['sub'][] = [];
    for (let i = 0; i < 3; i += 1) subscribers.push((await liveStock(ws(), { productIds: [probe!, mug!] }, probeOf)).sub);

    // Reads of the event's product by the live hub: findOneOrFail(Product, id) with no options (AdjustStock's own
    // read passes `refresh`).
    const findOneOrFail = jest.spyOn(EntityManager.prototype, 'findOneOrFail');
    const productReads = () => findOneOrFail.mock.calls.filter(([entity, id, options]) => entity === Product && id === mug && options === undefined).length;

    dataOf(await sendAs(server.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: mug!, delta: -3, reason: 'chipped' }));
    await waitFor(() => subscribers.every((sub) => eventsOf(sub, mug!).length === 1), 5_000, 'the event at every subscriber');
    for (const sub of subscribers) {
      expect(eventsOf(sub, mug!)[0]).toMatchObject({ productId: mug, available: 7, version: 1, product: { id: mug, available: 7, stockVersion: 1 } });
    }
    expect(productReads()).toBe(1);

    // The same object a query returns: same id, same available, same stockVersion.
    const catalog = dataOf(await sendAs(server.graphqlUrl, undefined, CatalogDocument, { first: 10, filter: { shopId: shop.id } })).products;
    const queried = catalog.edges.find((edge) => edge.node.id === mug)!.node;
    expect(queried).toMatchObject({ id: mug, available: 7 });
  });

  it("should give each event its own version's product, in order, even when changes follow each other closely", async () => {
    const [probe, bowl] = await createProducts(server, shop, [{ stock: 0 }, { stock: 20 }]);
    const { sub } = await liveStock(ws(), { productIds: [probe!, bowl!] }, { graphqlUrl: server.graphqlUrl, ownerToken: shop.owner.token, productId: probe! });
    await Promise.all(
      [1, 2, 3].map((n) => sendAs(server.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: bowl!, delta: n, reason: `batch ${n}` })),
    );
    await waitFor(() => eventsOf(sub, bowl!).length === 3, 5_000, 'three events');
    for (const event of eventsOf(sub, bowl!)) {
      expect(event.product).toMatchObject({ id: bowl, available: event.available, stockVersion: event.version });
    }
    expect(eventsOf(sub, bowl!).map((event) => event.version)).toEqual([1, 2, 3]);
  });
});
