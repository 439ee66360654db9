import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runSql } from '../../../src/shared/sql';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AddToCartDocument, CheckoutDocument } from '../../generated/graphql';
import { createUsers } from '../../utils/buyers';
import { availableOf, ledgerProblems, movementsOf } from '../../utils/ledger';
import { codesOf, dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('Checkout under concurrency', () => {
  let server: TestServer;
  let shop: TestShop;

  beforeAll(async () => {
    // A hundred buyers share a pool of ten: they queue for connections longer than the API's default bound
    // (overload is tests/faults/pool-exhaustion's subject; this file's is the stock).
    server = await startTestServer({ RUN_WORKER: 'false', DATABASE_ACQUIRE_TIMEOUT_MS: '60000' });
    shop = await createShop(server);
  });
  afterAll(() => server?.close());

  const em = () => server.database.orm.em.fork();

  it('should sell exactly the 10 units of a product to 10 of 100 buyers racing for them', async () => {
    const [lastTen] = await createProducts(server, shop, [{ stock: 10, priceAmount: 2_000 }]);
    const buyers = await createUsers(server, 100);
    await Promise.all(buyers.map((buyer) => sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId: lastTen!, quantity: 1 }).then(dataOf)));

    const results = await Promise.all(
      buyers.map((buyer) => sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: 'race', shippingAddress: ADDRESS } })),
    );

    const won = results.filter((result) => result.errors.length === 0);
    const lost = results.filter((result) => result.errors.length > 0);
    expect(won).toHaveLength(10);
    expect(lost.map((result) => codesOf(result))).toEqual(Array.from({ length: 90 }, () => ['OUT_OF_STOCK']));
    for (const result of lost) expect(result.errors[0]!.extensions?.productIds).toEqual([lastTen]);
    expect(new Set(won.map((result) => result.data!.checkout.id)).size).toBe(10);

    expect(await availableOf(em(), lastTen!)).toBe(0);
    const [{ orders }] = (await runSql<{ orders: string }>(em(), 'select count(*) as orders from customer_order')) as [{ orders: string }];
    expect(Number(orders)).toBe(10);
    const movements = await movementsOf(em(), lastTen!);
    expect(movements.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(movements.map((m) => m.available_after)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(await ledgerProblems(em())).toEqual([]);
  });

  it('should create one order when one Checkout is sent 20 times at once with one idempotency key', async () => {
    const [item] = await createProducts(server, shop, [{ stock: 100 }]);
    const [buyer] = await createUsers(server, 1);
    dataOf(await sendAs(server.graphqlUrl, buyer!.token, AddToCartDocument, { productId: item!, quantity: 3 }));

    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        sendAs(server.graphqlUrl, buyer!.token, CheckoutDocument, { input: { idempotencyKey: 'double-click', shippingAddress: ADDRESS } }),
      ),
    );

    expect(results.map((result) => codesOf(result))).toEqual(Array.from({ length: 20 }, () => []));
    const ids = new Set(results.map((result) => result.data!.checkout.id));
    expect(ids.size).toBe(1);
    const [{ orders }] = (await runSql<{ orders: string }>(em(), 'select count(*) as orders from customer_order where buyer_id = ?', [buyer!.id])) as [
      { orders: string },
    ];
    expect(Number(orders)).toBe(1);
    expect(await availableOf(em(), item!)).toBe(97);
    expect(await ledgerProblems(em())).toEqual([]);
  });

  it('should never deadlock when buyers check out the same products in opposite orders', async () => {
    const products = await createProducts(server, shop, Array.from({ length: 4 }, () => ({ stock: 1_000 })));
    const buyers = await createUsers(server, 30);
    await Promise.all(
      buyers.map(async (buyer, i) => {
        const mine = i % 2 ? [...products].reverse() : products;
        for (const productId of mine) dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId, quantity: 1 + (i % 3) }));
      }),
    );
    const results = await Promise.all(
      buyers.map((buyer) => sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: 'crossed', shippingAddress: ADDRESS } })),
    );
    expect(results.flatMap((result) => codesOf(result))).toEqual([]);
    const sold = buyers.reduce((sum, _buyer, i) => sum + 1 + (i % 3), 0);
    for (const productId of products) expect(await availableOf(em(), productId)).toBe(1_000 - sold);
    expect(await ledgerProblems(em())).toEqual([]);
  });
});
