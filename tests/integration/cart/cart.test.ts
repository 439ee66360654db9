import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createProduct, createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AddToCartDocument, AdjustStockDocument, MyCartDocument, SetCartLineQuantityDocument } from '../../generated/graphql';
import { createUser, type TestUser } from '../../utils/buyers';
import { codesOf, dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('the cart (MyCart, AddToCart, SetCartLineQuantity)', () => {
  let server: TestServer;
  let shop: TestShop;
  let mug: string;
  let bowl: string;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
    shop = await createShop(server);
    [mug, bowl] = await createProducts(server, shop, [
      { priceAmount: 1_250, stock: 5 },
      { priceAmount: 3_000, stock: 2 },
    ]);
  });
  afterAll(() => server?.close());

  const as = (user: TestUser | undefined) => ({
    cart: () => sendAs(server.graphqlUrl, user?.token, MyCartDocument, {}),
    add: (productId: string, quantity: number) => sendAs(server.graphqlUrl, user?.token, AddToCartDocument, { productId, quantity }),
    set: (productId: string, quantity: number) => sendAs(server.graphqlUrl, user?.token, SetCartLineQuantityDocument, { productId, quantity }),
  });

  it('should show a new buyer an empty cart with no subtotal', async () => {
    const buyer = await createUser(server);
    const { cart } = dataOf(await as(buyer).cart());
    expect(cart.lines).toEqual([]);
    expect(cart.subtotal).toBeNull();
    expect(cart.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should add products, sum the quantities of one product and price the subtotal at today’s prices', async () => {
    const buyer = await createUser(server);
    const emptyId = dataOf(await as(buyer).cart()).cart.id;
    await as(buyer).add(mug, 2);
    await as(buyer).add(bowl, 1);
    const { addToCart } = dataOf(await as(buyer).add(mug, 3));
    expect(addToCart.id).toBe(emptyId);
    expect(addToCart.lines.map((line) => [line.product.id, line.quantity])).toEqual([
      [mug, 5],
      [bowl, 1],
    ]);
    expect(addToCart.subtotal).toMatchObject({ amount: 5 * 1_250 + 3_000, currency: 'EUR' });

    const { cart } = dataOf(await as(buyer).cart());
    expect(cart.lines.map((line) => [line.product.id, line.product.title.length > 0, line.product.available, line.quantity])).toEqual([
      [mug, true, 5, 5],
      [bowl, true, 2, 1],
    ]);
    expect(cart.lines[0]!.product.price).toMatchObject({ amount: 1_250, currency: 'EUR' });
  });

  it('should set a line’s quantity, and remove the line with 0', async () => {
    const buyer = await createUser(server);
    await as(buyer).add(mug, 4);
    await as(buyer).add(bowl, 1);
    expect(dataOf(await as(buyer).set(mug, 1)).setCartLineQuantity.lines.map((l) => [l.product.id, l.quantity])).toEqual([
      [mug, 1],
      [bowl, 1],
    ]);
    const removed = dataOf(await as(buyer).set(mug, 0)).setCartLineQuantity;
    expect(removed.lines.map((l) => [l.product.id, l.quantity])).toEqual([[bowl, 1]]);
    expect(removed.subtotal).toMatchObject({ amount: 3_000, currency: 'EUR' });
    // Setting a product that is not in the cart adds it.
    expect(dataOf(await as(buyer).set(mug, 7)).setCartLineQuantity.lines).toHaveLength(2);
  });

  it('should refuse quantities outside 1 to 99 with BAD_USER_INPUT naming quantity', async () => {
    const buyer = await createUser(server);
    for (const result of [await as(buyer).add(mug, 0), await as(buyer).add(mug, 100), await as(buyer).add(mug, -1), await as(buyer).set(mug, 100), await as(buyer).set(mug, -2)]) {
      expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.errors[0]!.extensions?.field).toBe('quantity');
    }
    expect(dataOf(await as(buyer).cart()).cart.lines).toEqual([]);
  });

  it('should refuse to take a line above 99 units, and leave it as it was', async () => {
    const buyer = await createUser(server);
    await as(buyer).add(mug, 60);
    const result = await as(buyer).add(mug, 40);
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors[0]!.extensions?.field).toBe('quantity');
    expect(dataOf(await as(buyer).cart()).cart.lines.map((l) => l.quantity)).toEqual([60]);
    expect(dataOf(await as(buyer).add(mug, 39)).addToCart.lines.map((l) => l.quantity)).toEqual([99]);
  });

  it('should answer NOT_FOUND for a product that does not exist, or an id that is no id', async () => {
    const buyer = await createUser(server);
    expect(codesOf(await as(buyer).add('0192f0c4-0000-7000-8000-000000000000', 1))).toEqual(['NOT_FOUND']);
    expect(codesOf(await as(buyer).add('not-an-id', 1))).toEqual(['NOT_FOUND']);
  });

  it('should refuse a sold-out product with OUT_OF_STOCK naming it, yet let a line of it shrink or go', async () => {
    const buyer = await createUser(server);
    const scarf = await createProduct(server, shop, { stock: 1 });
    await as(buyer).add(scarf, 3);
    dataOf(await sendAs(server.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: scarf, delta: -1, reason: 'sold at a fair' }));
    const refused = await as(buyer).add(scarf, 1);
    expect(codesOf(refused)).toEqual(['OUT_OF_STOCK']);
    expect(refused.errors[0]!.extensions?.productIds).toEqual([scarf]);
    expect(codesOf(await as(buyer).set(scarf, 1))).toEqual([]);
    expect(dataOf(await as(buyer).set(scarf, 0)).setCartLineQuantity.lines).toEqual([]);
  });

  it('should give no subtotal for a cart that mixes currencies', async () => {
    const buyer = await createUser(server);
    const yenShop = await createShop(server, { currency: 'JPY', country: 'JP' });
    const teapot = await createProduct(server, yenShop, { priceAmount: 4_800 });
    await as(buyer).add(mug, 1);
    const { addToCart } = dataOf(await as(buyer).add(teapot, 1));
    expect(addToCart.lines).toHaveLength(2);
    expect(addToCart.subtotal).toBeNull();
  });

  it('should keep every buyer’s cart apart', async () => {
    const [ana, ben] = [await createUser(server), await createUser(server)];
    await as(ana).add(mug, 2);
    await as(ben).add(bowl, 1);
    const anaCart = dataOf(await as(ana).cart()).cart;
    const benCart = dataOf(await as(ben).cart()).cart;
    expect(anaCart.id).not.toBe(benCart.id);
    expect(anaCart.lines.map((l) => l.product.id)).toEqual([mug]);
    expect(benCart.lines.map((l) => l.product.id)).toEqual([bowl]);
  });

  it('should refuse anonymous callers with UNAUTHENTICATED', async () => {
    expect(codesOf(await as(undefined).cart())).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await as(undefined).add(mug, 1))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await as(undefined).set(mug, 1))).toEqual(['UNAUTHENTICATED']);
  });

  it('should keep the right sum when one buyer adds to the same line many times at once', async () => {
    const buyer = await createUser(server);
    await Promise.all(Array.from({ length: 10 }, () => as(buyer).add(bowl, 3)));
    expect(dataOf(await as(buyer).cart()).cart.lines.map((l) => l.quantity)).toEqual([30]);
  });
});
