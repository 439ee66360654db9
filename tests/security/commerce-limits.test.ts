import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AddToCartDocument, CheckoutDocument } from '../generated/graphql';
import { Product } from '../../src/modules/catalog/product.entity';
import { signUp, type TestAccount } from '../utils/accounts';
import { createProducts, createShop, type TestShop } from '../fixtures/shops';
import { startFakeStripe, type FakeStripe } from '../utils/fake-stripe';
import { send } from '../utils/operations';
import { fakeStripeEnv } from '../utils/payments';
import { startTestServer, type TestServer } from '../utils/test-server';
import { overWebSocket } from './transports';

const ADDRESS = { name: 'Ana', line1: '1 rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

describe('commerce limits', () => {
  let fake: FakeStripe;
  let server: TestServer;
  let shop: TestShop;
  beforeAll(async () => {
    fake = await startFakeStripe();
    server = await startTestServer({ NODE_ENV: 'production', ...fakeStripeEnv(fake), MAX_UNPAID_ORDERS_PER_BUYER: '2', MAX_UNPAID_UNITS_PER_PRODUCT: '5' });
    shop = await createShop(server);
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
  });

  async function checkout(buyer: TestAccount, productId: string, quantity: number, key: string, expectedTotal?: { amount: number; currency: string }) {
    const added = await send(server, AddToCartDocument, { productId, quantity }, { token: buyer.token });
    expect(added.errors).toBeUndefined();
    return send(server, CheckoutDocument, { input: { idempotencyKey: key, shippingAddress: ADDRESS, ...(expectedTotal ? { expectedTotal } : {}) } }, { token: buyer.token });
  }

  it('should refuse a third unpaid order with CONFLICT and a reason', async () => {
    const buyer = await signUp(server);
    const [a, b, c] = await createProducts(server, shop, [{ stock: 50 }, { stock: 50 }, { stock: 50 }]);
    expect((await checkout(buyer, a!, 1, 'o1')).errors).toBeUndefined();
    expect((await checkout(buyer, b!, 1, 'o2')).errors).toBeUndefined();
    const third = await checkout(buyer, c!, 1, 'o3');
    expect(third.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'TOO_MANY_UNPAID_ORDERS' });
    // The same refusal over WebSocket, for the cart that is still there.
    const overWs = await overWebSocket(server, CheckoutDocument, { input: { idempotencyKey: 'o3-ws', shippingAddress: ADDRESS } }, buyer.token);
    expect(overWs.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'TOO_MANY_UNPAID_ORDERS' });
  });

  it('should refuse more units of one product across unpaid orders than allowed, naming the product', async () => {
    const buyer = await signUp(server);
    const [product] = await createProducts(server, shop, [{ stock: 50 }]);
    expect((await checkout(buyer, product!, 4, 'u1')).errors).toBeUndefined();
    const second = await checkout(buyer, product!, 2, 'u2');
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'UNPAID_UNITS_LIMIT', productIds: [product] });
    // The same refusal over WebSocket, for the cart that is still there.
    const overWs = await overWebSocket(server, CheckoutDocument, { input: { idempotencyKey: 'u2-ws', shippingAddress: ADDRESS } }, buyer.token);
    expect(overWs.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'UNPAID_UNITS_LIMIT', productIds: [product] });
    const [stock] = await server.database.orm.em.fork().find(Product, { id: product! });
    expect(stock!.available).toBe(46);
  });

  it('should refuse a changed total with CONFLICT / PRICE_CHANGED and write nothing', async () => {
    const buyer = await signUp(server);
    const [product] = await createProducts(server, shop, [{ stock: 10, priceAmount: 1_000 }]);
    // The price rose from 10.00 to 9,999.99 after the buyer saw the cart.
    await server.database.orm.em.fork().nativeUpdate(Product, { id: product! }, { priceAmount: 999_999 });
    const refused = await checkout(buyer, product!, 1, 'p1', { amount: 1_000, currency: 'EUR' });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'PRICE_CHANGED' });
    expect(refused.data?.checkout ?? null).toBeNull();
    const refusedOverWs = await overWebSocket(server, CheckoutDocument, { input: { idempotencyKey: 'p1', shippingAddress: ADDRESS, expectedTotal: { amount: 1_000, currency: 'EUR' } } }, buyer.token);
    expect(refusedOverWs.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'PRICE_CHANGED', total: { amount: 999_999, currency: 'EUR' } });
    const [stock] = await server.database.orm.em.fork().find(Product, { id: product! });
    expect(stock!.available).toBe(10);
    // The buyer agrees to the new total: the same key works, since nothing was written.
    const accepted = await send(server, CheckoutDocument, { input: { idempotencyKey: 'p1', shippingAddress: ADDRESS, expectedTotal: { amount: 999_999, currency: 'EUR' } } }, { token: buyer.token });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data?.checkout.total).toEqual({ amount: 999_999, currency: 'EUR' });
  });
});
