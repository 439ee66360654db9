import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSql } from '../../../src/shared/sql';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { ADDRESS } from '../../fixtures/addresses';
import { AddToCartDocument, AdjustStockDocument, CheckoutDocument, MyCartDocument, SetCartLineQuantityDocument, type AddressInput } from '../../generated/graphql';
import { createUser, type TestUser } from '../../utils/buyers';
import { availableOf, ledgerProblems, movementsOf } from '../../utils/ledger';
import { codesOf, dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('Checkout', () => {
  let server: TestServer;
  let shop: TestShop;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
    shop = await createShop(server);
  });
  afterAll(() => server?.close());

  const em = () => server.database.orm.em.fork();
  const add = (buyer: TestUser, productId: string, quantity: number) =>
    sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId, quantity }).then(dataOf);
  const checkout = (buyer: TestUser, idempotencyKey: string, shippingAddress: AddressInput = ADDRESS) =>
    sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey, shippingAddress } });
  const countOrders = async (buyer: TestUser) =>
    Number((await runSql<{ n: string }>(em(), 'select count(*) as n from customer_order where buyer_id = ?', [buyer.id]))[0]!.n);

  it('should turn the cart into a PENDING_PAYMENT order: prices copied, stock taken, cart emptied, reserved 15 minutes', async () => {
    const [mug, bowl] = await createProducts(server, shop, [{ priceAmount: 1_250, stock: 5 }, { priceAmount: 3_000, stock: 2 }]);
    const buyer = await createUser(server);
    await add(buyer, mug!, 2);
    await add(buyer, bowl!, 1);
    const before = Date.now();
    const order = dataOf(await checkout(buyer, 'first-order')).checkout;

    expect(order.status).toBe('PENDING_PAYMENT');
    expect(order.number).toMatch(/^AT-\d{6,}$/);
    expect(order.total).toMatchObject({ amount: 2 * 1_250 + 3_000, currency: 'EUR' });
    expect(order.lines.map((l) => [l.product.id, l.quantity, l.unitPrice.amount, l.unitPrice.currency]).sort()).toEqual(
      [[mug, 2, 1_250, 'EUR'], [bowl, 1, 3_000, 'EUR']].sort(),
    );
    expect(order.payment).toMatchObject({ provider: 'DEVELOPMENT', status: 'REQUIRES_PAYMENT' });
    // The DEVELOPMENT provider's intent, created right after the commit.
    expect(order.payment.clientSecret).toMatch(/^dev_pi_/);
    const reservedMs = new Date(order.reservedUntil as string).getTime() - before;
    expect(reservedMs).toBeGreaterThan(15 * 60_000 - 5_000);
    expect(reservedMs).toBeLessThanOrEqual(15 * 60_000 + 5_000);

    expect(await availableOf(em(), mug!)).toBe(3);
    expect(await availableOf(em(), bowl!)).toBe(1);
    expect(await movementsOf(em(), mug!)).toEqual([
      expect.objectContaining({ delta: -2, reason: 'SALE', order_id: order.id, available_after: 3, version: 1 }),
    ]);
    expect(dataOf(await sendAs(server.graphqlUrl, buyer.token, MyCartDocument, {})).cart.lines).toEqual([]);
    const [job] = await runSql<{ task_identifier: string; run_at: Date; key: string }>(
      em(),
      `select task_identifier, run_at, key from graphile_worker.jobs where key = ?`,
      [`expire_order:${order.id}`],
    );
    expect(job?.task_identifier).toBe('expire_order');
    expect(new Date(job!.run_at).toISOString()).toBe(new Date(order.reservedUntil as string).toISOString());
    expect(await ledgerProblems(em())).toEqual([]);
  });

  it('should copy the price of the moment: a later price change leaves the order as it was', async () => {
    const [vase] = await createProducts(server, shop, [{ priceAmount: 4_000, stock: 3 }]);
    const buyer = await createUser(server);
    await add(buyer, vase!, 1);
    const order = dataOf(await checkout(buyer, 'price-copy')).checkout;
    await runSql(em(), 'update product set price_amount = 9_999 where id = ?', [vase]);
    expect(order.lines[0]!.unitPrice.amount).toBe(4_000);
    const [line] = await runSql<{ unit_price_amount: number }>(em(), 'select unit_price_amount from order_line where order_id = ?', [order.id]);
    expect(line!.unit_price_amount).toBe(4_000);
  });

  it('should fail with OUT_OF_STOCK naming every short product, and write nothing at all', async () => {
    const [plenty, scarce, none] = await createProducts(server, shop, [{ stock: 10 }, { stock: 1 }, { stock: 3 }]);
    const buyer = await createUser(server);
    await add(buyer, plenty!, 2);
    await add(buyer, scarce!, 1);
    await add(buyer, none!, 3);
    // Others take the stock meanwhile.
    const other = await createUser(server);
    await add(other, scarce!, 1);
    await add(other, none!, 2);
    dataOf(await checkout(other, 'other'));

    const result = await checkout(buyer, 'too-late');
    expect(codesOf(result)).toEqual(['OUT_OF_STOCK']);
    expect(result.errors[0]!.extensions?.productIds).toEqual([scarce, none].sort());
    expect(await availableOf(em(), plenty!)).toBe(10);
    expect(await movementsOf(em(), plenty!)).toEqual([]);
    expect(await countOrders(buyer)).toBe(0);
    expect(dataOf(await sendAs(server.graphqlUrl, buyer.token, MyCartDocument, {})).cart.lines).toHaveLength(3);
    expect(await ledgerProblems(em())).toEqual([]);
  });

  it('should refuse a cart that mixes currencies with BAD_USER_INPUT', async () => {
    const poundShop = await createShop(server, { currency: 'GBP', country: 'GB' });
    const [euro] = await createProducts(server, shop, [{}]);
    const [pound] = await createProducts(server, poundShop, [{}]);
    const buyer = await createUser(server);
    await add(buyer, euro!, 1);
    await add(buyer, pound!, 1);
    const result = await checkout(buyer, 'mixed');
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors[0]!.extensions?.field).toBe('cart');
    expect(await availableOf(em(), euro!)).toBe(10);
    expect(await countOrders(buyer)).toBe(0);
  });

  it('should refuse an empty cart with BAD_USER_INPUT', async () => {
    const buyer = await createUser(server);
    const result = await checkout(buyer, 'empty');
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors[0]!.extensions?.field).toBe('cart');
  });

  it('should refuse an address that is not one with BAD_USER_INPUT naming the field', async () => {
    const [item] = await createProducts(server, shop, [{}]);
    const buyer = await createUser(server);
    await add(buyer, item!, 1);
    const badCountry = await checkout(buyer, 'bad-address', { ...ADDRESS, country: 'France' });
    expect(codesOf(badCountry)).toEqual(['BAD_USER_INPUT']);
    expect(String(badCountry.errors[0]!.extensions?.field)).toMatch(/country$/);
    const noName = await checkout(buyer, 'bad-address', { ...ADDRESS, name: '' });
    expect(codesOf(noName)).toEqual(['BAD_USER_INPUT']);
    expect(String(noName.errors[0]!.extensions?.field)).toMatch(/name$/);
    expect(await countOrders(buyer)).toBe(0);
  });

  it('should return the same order for the same key, cart and address, and CONFLICT for another cart or address', async () => {
    const [a, b] = await createProducts(server, shop, [{ stock: 10 }, { stock: 10 }]);
    const buyer = await createUser(server);
    await add(buyer, a!, 2);
    const first = dataOf(await checkout(buyer, 'retry-me')).checkout;
    // A retry after success: the cart is empty now, as the first attempt left it.
    expect(dataOf(await checkout(buyer, 'retry-me')).checkout).toEqual(first);
    // The same key with another address.
    const otherAddress = await checkout(buyer, 'retry-me', { ...ADDRESS, line1: '1 another street' });
    expect(codesOf(otherAddress)).toEqual(['CONFLICT']);
    // The same key with another cart.
    await add(buyer, b!, 1);
    expect(codesOf(await checkout(buyer, 'retry-me'))).toEqual(['CONFLICT']);
    // The same cart as the first time again is the same request: its order comes back, no stock is taken.
    await sendAs(server.graphqlUrl, buyer.token, SetCartLineQuantityDocument, { productId: b!, quantity: 0 });
    await add(buyer, a!, 2);
    expect(dataOf(await checkout(buyer, 'retry-me')).checkout.id).toBe(first.id);
    expect(await countOrders(buyer)).toBe(1);
    expect(await availableOf(em(), a!)).toBe(8);
    // A new key checks the cart out.
    expect(dataOf(await checkout(buyer, 'second')).checkout.id).not.toBe(first.id);
    expect(await ledgerProblems(em())).toEqual([]);
  });

  it('should let a key that failed be used again once the cart can be checked out', async () => {
    const [item] = await createProducts(server, shop, [{ stock: 1 }]);
    const buyer = await createUser(server);
    await add(buyer, item!, 1);
    const rival = await createUser(server);
    await add(rival, item!, 1);
    dataOf(await checkout(rival, 'rival'));
    expect(codesOf(await checkout(buyer, 'again'))).toEqual(['OUT_OF_STOCK']);
    dataOf(await sendAs(server.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: item!, delta: 1, reason: 'found one' }));
    expect(dataOf(await checkout(buyer, 'again')).checkout.status).toBe('PENDING_PAYMENT');
  });

  it('should refuse anonymous callers with UNAUTHENTICATED', async () => {
    const result = await sendAs(server.graphqlUrl, undefined, CheckoutDocument, { input: { idempotencyKey: 'k', shippingAddress: ADDRESS } });
    expect(codesOf(result)).toEqual(['UNAUTHENTICATED']);
  });

  it('should give concurrent orders distinct numbers', async () => {
    const [item] = await createProducts(server, shop, [{ stock: 50 }]);
    const buyers = await Promise.all(Array.from({ length: 5 }, () => createUser(server)));
    for (const buyer of buyers) await add(buyer, item!, 1);
    const numbers = await Promise.all(buyers.map(async (buyer) => dataOf(await checkout(buyer, 'n')).checkout.number));
    expect(new Set(numbers).size).toBe(5);
  });
});
