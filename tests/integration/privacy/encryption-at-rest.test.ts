import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSql } from '../../../src/shared/sql';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AddToCartDocument, CheckoutDocument, OrderDocument } from '../../generated/graphql';
import { createUser, type TestUser } from '../../utils/buyers';
import { wsClient, wsExecute } from '../../utils/clients';
import { dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

const PHONE = '+33 6 12 34 56 78';

describe('Shipping addresses at rest', () => {
  let server: TestServer;
  let shop: TestShop;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
    shop = await createShop(server);
  });
  afterAll(() => server?.close());

  const sql = <T>(text: string, params: unknown[] = []) => runSql<T>(server.database.orm.em.fork(), text, params);

  async function placeOrder(buyer: TestUser, key: string) {
    const [productId] = await createProducts(server, shop, [{ stock: 5, priceAmount: 900 }]);
    dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId: productId!, quantity: 1 }));
    return dataOf(await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: key, shippingAddress: { ...ADDRESS, phone: PHONE } } })).checkout;
  }

  it('should store no field of the address in clear, and seal equal addresses differently', async () => {
    const buyer = await createUser(server);
    const first = await placeOrder(buyer, 'a');
    const second = await placeOrder(buyer, 'b');
    const rows = await sql<{ id: string; shipping_address: string; request_fingerprint: string }>(
      'select id, shipping_address, request_fingerprint from customer_order where id = any(?::uuid[]) order by id',
      [[first.id, second.id]],
    );
    expect(rows).toHaveLength(2);
    const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
    expect(a.shipping_address).toMatch(/^ev1\.test-1\./);
    expect(a.shipping_address).not.toBe(b.shipping_address);
    // Nothing of it anywhere in the table, in any column.
    const [found] = await sql<{ n: number }>(
      `select count(*)::int as n from customer_order o where o::text ilike any(?::text[])`,
      [[ADDRESS.name, ADDRESS.line1, ADDRESS.city, ADDRESS.postalCode, PHONE].map((part) => `%${part}%`)],
    );
    expect(found!.n).toBe(0);
    // The API opens it.
    const { order } = dataOf(await sendAs(server.graphqlUrl, buyer.token, OrderDocument, { id: first.id }));
    expect(order.shippingAddress).toMatchObject({ ...ADDRESS, line2: null, phone: PHONE });
  });

  it('should keep the address out of job payloads, payment events and metrics', async () => {
    const buyer = await createUser(server);
    const order = await placeOrder(buyer, 'jobs-and-metrics');
    const parts = [ADDRESS.name, ADDRESS.line1, ADDRESS.city, ADDRESS.postalCode, PHONE].map((part) => `%${part}%`);
    // The jobs that the checkout queued (the worker is off here, so they all wait in the queue).
    const jobs = await sql<{ payload: string }>('select payload::text as payload from graphile_worker._private_jobs');
    expect(jobs.some((job) => job.payload.includes(order.id))).toBe(true);
    const [inJobs] = await sql<{ n: number }>('select count(*)::int as n from graphile_worker._private_jobs j where j.payload::text ilike any(?::text[])', [parts]);
    expect(inJobs!.n).toBe(0);
    const [inPaymentEvents] = await sql<{ n: number }>('select count(*)::int as n from payment_event e where e::text ilike any(?::text[])', [parts]);
    expect(inPaymentEvents!.n).toBe(0);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toContain('atelier_');
    for (const part of [ADDRESS.name, ADDRESS.line1, ADDRESS.city, ADDRESS.postalCode, PHONE]) expect(metrics).not.toContain(part);
  });

  it('should answer the address of a row given another row\'s ciphertext with an error, and the rest of the order', async () => {
    const buyer = await createUser(server);
    const victim = await placeOrder(buyer, 'victim');
    const other = await placeOrder(buyer, 'other');
    await sql('update customer_order set shipping_address = (select shipping_address from customer_order where id = ?) where id = ?', [other.id, victim.id]);
    const answer = await sendAs(server.graphqlUrl, buyer.token, OrderDocument, { id: victim.id });
    expect(answer.data?.order).toMatchObject({ id: victim.id, number: victim.number, status: 'PENDING_PAYMENT', shippingAddress: null });
    expect(answer.errors).toEqual([expect.objectContaining({ path: ['order', 'shippingAddress'], extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' }) })]);
    // Over WebSocket alike.
    const client = wsClient(server.wsUrl, buyer.token);
    try {
      const overSocket = await wsExecute(client, OrderDocument, { id: victim.id });
      expect(overSocket.data?.order).toMatchObject({ id: victim.id, number: victim.number, shippingAddress: null });
      expect(overSocket.errors).toEqual([expect.objectContaining({ path: ['order', 'shippingAddress'], extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' }) })]);
    } finally {
      await client.dispose();
    }
    // The other order is untouched.
    const { order } = dataOf(await sendAs(server.graphqlUrl, buyer.token, OrderDocument, { id: other.id }));
    expect(order.shippingAddress?.line1).toBe(ADDRESS.line1);
  });

  it('should replay an idempotent checkout by its keyed fingerprint, and refuse another address with that key', async () => {
    const buyer = await createUser(server);
    const order = await placeOrder(buyer, 'same');
    const again = dataOf(await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: 'same', shippingAddress: { ...ADDRESS, phone: PHONE } } })).checkout;
    expect(again.id).toBe(order.id);
    const other = await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: 'same', shippingAddress: { ...ADDRESS, phone: null } } });
    expect(other.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});
