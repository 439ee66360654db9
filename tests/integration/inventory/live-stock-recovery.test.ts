import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client as WsClient } from 'graphql-ws';
import { runSql } from '../../../src/shared/sql';
import { newId } from '../../../src/shared/ids';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AdjustStockDocument } from '../../generated/graphql';
import { wsClient } from '../../utils/clients';
import { ledgerProblems } from '../../utils/ledger';
import { eventsOf, liveStock } from '../../utils/live-stock';
import { dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

/**
 * A stock change whose notification is lost: what the ledger writes, without `pg_notify`, as when no relay
 * listened at commit time (a restart, a failover, a dropped connection).
 */
async function changeWithoutNotification(server: TestServer, productId: string, delta: number): Promise<void> {
  await server.database.orm.em.fork().transactional((em) =>
    runSql(
      em,
      `with changed as (
         update product set available = available + ?, stock_version = stock_version + 1 where id = ? returning id, available, stock_version
       )
       insert into stock_movement (id, product_id, delta, reason, available_after, version, created_at)
       select ?, id, ?, 'RESTOCK', available, stock_version, now() from changed`,
      [delta, productId, newId(), delta],
    ),
  );
}

describe('LiveStock when a notification is lost', () => {
  let server: TestServer;
  let shop: TestShop;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    // The periodic check every 2 s: long enough that a gap filled within a second was filled by the next event.
    server = await startTestServer({ RUN_WORKER: 'false', LIVE_RECONCILE_MS: '2000' });
    shop = await createShop(server);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
  afterAll(() => server?.close());

  const subscribe = async (productIds: string[]) => {
    const client = wsClient(server.wsUrl);
    clients.push(client);
    return (await liveStock(client, { productIds }, { graphqlUrl: server.graphqlUrl, ownerToken: shop.owner.token, productId: productIds[0]! })).sub;
  };

  it('should fill a gap from the stock ledger as soon as the next change arrives, in order', async () => {
    const [probe, item] = await createProducts(server, shop, [{ stock: 0 }, { stock: 3 }]);
    const sub = await subscribe([probe!, item!]);
    await changeWithoutNotification(server, item!, 2);
    dataOf(await sendAs(server.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: item!, delta: -1, reason: 'x' }));
    await waitFor(() => eventsOf(sub, item!).length === 2, 1_000, 'both changes');
    expect(eventsOf(sub, item!).map((e) => [e.version, e.delta, e.available])).toEqual([
      [1, 2, 5],
      [2, -1, 4],
    ]);
    expect(await ledgerProblems(server.database.orm.em.fork())).toEqual([]);
  });

  it('should deliver a lost last change through the periodic check against the database', async () => {
    const [probe, item] = await createProducts(server, shop, [{ stock: 0 }, { stock: 1 }]);
    const sub = await subscribe([probe!, item!]);
    await changeWithoutNotification(server, item!, 7);
    await waitFor(() => eventsOf(sub, item!).length === 1, 5_000, 'the lost change');
    expect(eventsOf(sub, item!).map((e) => [e.version, e.reason, e.delta, e.available])).toEqual([[1, 'RESTOCK', 7, 8]]);
  });
});
