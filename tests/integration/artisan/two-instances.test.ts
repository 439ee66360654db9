import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client as WsClient } from 'graphql-ws';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { FulfilOrderDocument, OrderUpdatesDocument, ShopOrderUpdatesDocument, UpdateProductDocument } from '../../generated/graphql';
import { payOrder } from '../../utils/artisan';
import { createUser } from '../../utils/buyers';
import { postGraphql, wsClient } from '../../utils/clients';
import { startCluster, type Cluster } from '../../utils/cluster';
import { dataOf, sendAs } from '../../utils/operations';
import { checkOut } from '../../utils/order-emails';
import { collect } from '../../utils/subscriptions';
import type { TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

/** The anonymous catalogue's product ids: an answer of the public response cache. */
const CATALOG_IDS = 'query CatalogIds { products(first: 100) { edges { node { id } } } }';

describe('a two-shop order fulfilled on two instances sharing Redis', () => {
  let cluster: Cluster;
  let instanceA: TestServer;
  let instanceB: TestServer;
  let potter: TestShop;
  let weaver: TestShop;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, redis: true, env: { RUN_WORKER: 'false' } });
    [instanceA, instanceB] = cluster.instances;
    [potter, weaver] = [await createShop(instanceA), await createShop(instanceA)];
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await cluster?.close();
  });

  const client = (server: TestServer, token: string) => {
    const made = wsClient(server.wsUrl, token);
    clients.push(made);
    return made;
  };

  it("should take the buyer watching on A from PAID to FULFILLED as each artisan ships from its own instance, and tell each shop's feed on the other", async () => {
    const [mug] = (await createProducts(instanceA, potter, [{ priceAmount: 1_250 }])) as [string];
    const [scarf] = (await createProducts(instanceA, weaver, [{ priceAmount: 4_000 }])) as [string];
    const buyer = await createUser(instanceA);
    const potterFeed = collect(client(instanceB, potter.owner.token), ShopOrderUpdatesDocument, {});
    const weaverFeed = collect(client(instanceA, weaver.owner.token), ShopOrderUpdatesDocument, {});
    const order = await checkOut(instanceB, buyer, [
      { productId: mug, quantity: 2 },
      { productId: scarf, quantity: 1 },
    ]);
    const buyerFeed = collect(client(instanceA, buyer.token), OrderUpdatesDocument, { orderId: order.id });
    expect((await potterFeed.until(1))[0]!.shopOrderUpdated).toMatchObject({ order: { id: order.id, status: 'PENDING_PAYMENT' }, subtotal: { amount: 2_500 } });
    expect((await weaverFeed.until(1))[0]!.shopOrderUpdated).toMatchObject({ order: { id: order.id, status: 'PENDING_PAYMENT' }, subtotal: { amount: 4_000 } });

    // The order as it is comes first.
    expect((await buyerFeed.until(1))[0]!.orderUpdated).toMatchObject({ status: 'PENDING_PAYMENT', shipments: [] });
    await payOrder(instanceA, order.id);
    expect((await buyerFeed.until(2))[1]!.orderUpdated).toMatchObject({ status: 'PAID', shipments: [] });

    dataOf(await sendAs(instanceA.graphqlUrl, potter.owner.token, FulfilOrderDocument, { orderId: order.id, input: { carrier: 'La Poste', trackingNumber: '6A1' } }));
    const partly = (await buyerFeed.until(3))[2]!.orderUpdated;
    expect(partly).toMatchObject({ status: 'PAID', shipments: [{ carrier: 'La Poste', trackingNumber: '6A1' }] });

    dataOf(await sendAs(instanceB.graphqlUrl, weaver.owner.token, FulfilOrderDocument, { orderId: order.id, input: { carrier: 'DHL', trackingNumber: 'JD1' } }));
    const fulfilled = (await buyerFeed.until(4))[3]!.orderUpdated;
    expect(fulfilled.status).toBe('FULFILLED');
    expect(fulfilled.shipments.map((shipment) => shipment.trackingNumber).sort()).toEqual(['6A1', 'JD1']);

    const potterStatuses = (await potterFeed.until(4)).map((event) => [event.shopOrderUpdated.order.status, Boolean(event.shopOrderUpdated.shipment)]);
    expect(potterStatuses).toEqual([['PENDING_PAYMENT', false], ['PAID', false], ['PAID', true], ['FULFILLED', true]]);
    const weaverStatuses = (await weaverFeed.until(3)).map((event) => [event.shopOrderUpdated.order.status, Boolean(event.shopOrderUpdated.shipment)]);
    expect(weaverStatuses).toEqual([['PENDING_PAYMENT', false], ['PAID', false], ['FULFILLED', true]]);
    expect(buyerFeed.results.every((result) => !result.errors)).toBe(true);
  });

  it("should drop a product archived on A from B's cached catalogue answers at once, and bring it back", async () => {
    const [vase] = (await createProducts(instanceA, potter, [{ stock: 3 }])) as [string];
    const catalogueOnB = async () => {
      const response = await postGraphql(instanceB.graphqlUrl, { query: CATALOG_IDS });
      const ids = (response.body.data as { products: { edges: { node: { id: string } }[] } }).products.edges.map((edge) => edge.node.id);
      return { ids, cache: response.headers.get('x-cache') };
    };
    // The creation's notification reaches B through the relay, maybe after B's first read: read until B caches it.
    await waitFor(async () => {
      const onB = await catalogueOnB();
      return onB.cache === 'HIT' && onB.ids.includes(vase);
    }, 2_000, 'the vase cached on B', 20);

    const archive = (archived: boolean) => sendAs(instanceA.graphqlUrl, potter.owner.token, UpdateProductDocument, { id: vase, input: { archived } });
    expect(dataOf(await archive(true)).updateProduct.archived).toBe(true);
    await waitFor(async () => !(await catalogueOnB()).ids.includes(vase), 2_000, 'the vase to leave B\'s catalogue', 20);
    expect(dataOf(await archive(false)).updateProduct.archived).toBe(false);
    await waitFor(async () => (await catalogueOnB()).ids.includes(vase), 2_000, 'the vase to come back to B\'s catalogue', 20);
  });
});
