import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { runSql } from '../../../src/shared/sql';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { CancelOrderDocument, FulfilOrderDocument, OrderDocument } from '../../generated/graphql';
import { payOrder, statusOf } from '../../utils/artisan';
import { createUser, type TestUser } from '../../utils/buyers';
import { codesOf, dataOf, sendAs } from '../../utils/operations';
import { checkOut, type CheckedOutOrder } from '../../utils/order-emails';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('fulfilment: each shop ships its part of a paid order', () => {
  let server: TestServer;
  let potter: TestShop;
  let weaver: TestShop;
  let outsider: TestShop;
  let mug: string, scarf: string;

  beforeAll(async () => {
    server = await startTestServer();
    [potter, weaver, outsider] = [await createShop(server), await createShop(server), await createShop(server)];
    [mug] = (await createProducts(server, potter, [{ stock: 1_000 }])) as [string];
    [scarf] = (await createProducts(server, weaver, [{ stock: 1_000 }])) as [string];
  });
  afterAll(() => server?.close());

  const fulfil = (shop: TestShop, orderId: string, carrier = 'La Poste', trackingNumber = `6A${shop.id.slice(-8)}`) =>
    sendAs(server.graphqlUrl, shop.owner.token, FulfilOrderDocument, { orderId, input: { carrier, trackingNumber } });

  async function twoShopOrder(buyer?: TestUser): Promise<{ buyer: TestUser; order: CheckedOutOrder }> {
    const who = buyer ?? (await createUser(server));
    const order = await checkOut(server, who, [
      { productId: mug, quantity: 2 },
      { productId: scarf, quantity: 1 },
    ]);
    return { buyer: who, order };
  }

  it('should record each shop\'s shipment, make the order FULFILLED with the last one, and show the shipments to the buyer', async () => {
    const { buyer, order } = await twoShopOrder();
    await payOrder(server, order.id);

    const first = dataOf(await fulfil(potter, order.id, 'La Poste', '6A0001')).fulfilOrder;
    expect(first.order).toMatchObject({ id: order.id, number: order.number, status: 'PAID' });
    expect(first.shipment).toMatchObject({ carrier: 'La Poste', trackingNumber: '6A0001' });

    const seen = dataOf(await sendAs(server.graphqlUrl, buyer.token, OrderDocument, { id: order.id })).order;
    expect(seen.shipments.map((shipment) => [shipment.shop.id, shipment.carrier, shipment.trackingNumber])).toEqual([[potter.id, 'La Poste', '6A0001']]);

    const last = dataOf(await fulfil(weaver, order.id, 'DHL', 'JD0146')).fulfilOrder;
    expect(last.order.status).toBe('FULFILLED');
    expect(await statusOf(server, order.id)).toBe('FULFILLED');
    const after = dataOf(await sendAs(server.graphqlUrl, buyer.token, OrderDocument, { id: order.id })).order;
    expect(after.status).toBe('FULFILLED');
    expect(after.shipments.map((shipment) => shipment.shop.id).sort()).toEqual([potter.id, weaver.id].sort());
  });

  it('should answer the same shipment for the same data, and CONFLICT for other data, even after the order was fulfilled', async () => {
    const { order } = await twoShopOrder();
    await payOrder(server, order.id);
    const first = dataOf(await fulfil(potter, order.id, 'UPS', '1Z999')).fulfilOrder;
    const again = dataOf(await fulfil(potter, order.id, ' UPS ', '1Z999')).fulfilOrder;
    expect(again.shipment).toEqual(first.shipment);
    expect(codesOf(await fulfil(potter, order.id, 'UPS', '1Z000'))).toEqual(['CONFLICT']);
    expect(codesOf(await fulfil(potter, order.id, 'DHL', '1Z999'))).toEqual(['CONFLICT']);
    dataOf(await fulfil(weaver, order.id));
    expect(dataOf(await fulfil(potter, order.id, 'UPS', '1Z999')).fulfilOrder).toMatchObject({ order: { ...first.order, status: 'FULFILLED' }, shipment: first.shipment });
    const [count] = await runSql<{ n: number }>(server.database.orm.em.fork(), 'select count(*)::int as n from shipment where order_id = ?', [order.id]);
    expect(count!.n).toBe(2);
  });

  it('should refuse to ship an order not paid, cancelled or expired with CONFLICT, and another shop\'s order with NOT_FOUND', async () => {
    const unpaid = (await twoShopOrder()).order;
    expect(codesOf(await fulfil(potter, unpaid.id))).toEqual(['CONFLICT']);

    const cancelled = await twoShopOrder();
    dataOf(await sendAs(server.graphqlUrl, cancelled.buyer.token, CancelOrderDocument, { id: cancelled.order.id }));
    expect(codesOf(await fulfil(potter, cancelled.order.id))).toEqual(['CONFLICT']);

    const expired = (await twoShopOrder()).order;
    await runSql(server.database.orm.em.fork(), `update customer_order set status = 'EXPIRED' where id = ?`, [expired.id]);
    expect(codesOf(await fulfil(weaver, expired.id))).toEqual(['CONFLICT']);

    const paid = (await twoShopOrder()).order;
    await payOrder(server, paid.id);
    expect(codesOf(await fulfil(outsider, paid.id))).toEqual(['NOT_FOUND']);
    expect(codesOf(await fulfil(potter, '0190a000-0000-7000-8000-000000000000'))).toEqual(['NOT_FOUND']);
    const buyer = await createUser(server);
    const asBuyer = await sendAs(server.graphqlUrl, buyer.token, FulfilOrderDocument, { orderId: paid.id, input: { carrier: 'x', trackingNumber: 'y' } });
    expect(codesOf(asBuyer)).toEqual(['FORBIDDEN']);
    expect(codesOf(await fulfil(potter, paid.id, ' ', 'y'))).toEqual(['BAD_USER_INPUT']);
    const artisanWithoutShop = await createUser(server, Role.ARTISAN);
    const noShop = await sendAs(server.graphqlUrl, artisanWithoutShop.token, FulfilOrderDocument, { orderId: paid.id, input: { carrier: 'x', trackingNumber: 'y' } });
    expect(codesOf(noShop)).toEqual(['NOT_FOUND']);
  });

  it('should refuse to cancel an order of which one shop has shipped, and keep its stock sold', async () => {
    const { buyer, order } = await twoShopOrder();
    await payOrder(server, order.id);
    dataOf(await fulfil(potter, order.id));
    const refused = await sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id });
    expect(codesOf(refused)).toEqual(['CONFLICT']);
    expect(refused.errors[0]?.message).toMatch(/shipped in part/);
    expect(await statusOf(server, order.id)).toBe('PAID');
    const [movements] = await runSql<{ n: number }>(server.database.orm.em.fork(), `select count(*)::int as n from stock_movement where order_id = ? and reason = 'CANCELLATION'`, [order.id]);
    expect(movements!.n).toBe(0);
  });

  it('should end in one consistent state when both shops ship at once, many times over', async () => {
    for (let round = 0; round < 6; round++) {
      const { order } = await twoShopOrder();
      await payOrder(server, order.id);
      const results = await Promise.all([fulfil(potter, order.id), fulfil(weaver, order.id), fulfil(potter, order.id), fulfil(weaver, order.id)]);
      for (const result of results) expect(result.errors).toEqual([]);
      expect(await statusOf(server, order.id)).toBe('FULFILLED');
      const [count] = await runSql<{ n: number }>(server.database.orm.em.fork(), 'select count(*)::int as n from shipment where order_id = ?', [order.id]);
      expect(count!.n).toBe(2);
    }
  });

  it('should end in one consistent state when a cancellation races a shipment: either cancelled and unshipped, or shipped and not cancelled', async () => {
    for (let round = 0; round < 8; round++) {
      const { buyer, order } = await twoShopOrder();
      await payOrder(server, order.id);
      const [shipped, cancelled] = await Promise.all([
        fulfil(potter, order.id),
        sendAs(server.graphqlUrl, buyer.token, CancelOrderDocument, { id: order.id }),
      ]);
      const status = await statusOf(server, order.id);
      const em = server.database.orm.em.fork();
      const [shipments] = await runSql<{ n: number }>(em, 'select count(*)::int as n from shipment where order_id = ?', [order.id]);
      const [returned] = await runSql<{ n: number }>(em, `select count(*)::int as n from stock_movement where order_id = ? and reason = 'CANCELLATION'`, [order.id]);
      if (status === 'CANCELLED') {
        expect(codesOf(shipped)).toEqual(['CONFLICT']);
        expect(cancelled.errors).toEqual([]);
        expect([shipments!.n, returned!.n]).toEqual([0, 2]);
      } else {
        expect(status).toBe('PAID');
        expect(shipped.errors).toEqual([]);
        expect(codesOf(cancelled)).toEqual(['CONFLICT']);
        expect([shipments!.n, returned!.n]).toEqual([1, 0]);
      }
    }
  });
});
