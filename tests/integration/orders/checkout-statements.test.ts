import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { StatementCounter } from '../../../bench/lib/pg-statement-counter';
import { ADDRESS } from '../../fixtures/addresses';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AddToCartDocument, CheckoutDocument } from '../../generated/graphql';
import { createUser } from '../../utils/buyers';
import { startCountedServer, type CountedServer } from '../../utils/counted-server';
import { dataOf, sendAs } from '../../utils/operations';
import type { TestServer } from '../../utils/test-server';

/** Issue 16: a checkout takes at most this many statements, the caller's re-check and the answer's reads included. */
const MAX_STATEMENTS = 8;

/**
 * Statements of one Checkout, counted by PostgreSQL's wire protocol (the bench's counter between the server and the
 * database): the writes are set-based, so a cart of five lines costs what a cart of one does.
 */
describe('statements per checkout', () => {
  let setup: CountedServer;
  let counter: StatementCounter;
  let server: TestServer;
  let shop: TestShop;

  beforeAll(async () => {
    setup = await startCountedServer();
    ({ counter, server } = setup);
    shop = await createShop(server);
  });
  afterAll(() => setup?.close());

  /** Fills a new buyer's cart with one unit of each of `lines` new products, checks out, and counts that alone. */
  async function countedCheckout(lines: number): Promise<{ count: number; statements: string[] }> {
    const products = await createProducts(server, shop, Array.from({ length: lines }, () => ({ priceAmount: 1_000, stock: 5 })));
    const buyer = await createUser(server);
    for (const productId of products) dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId, quantity: 1 }));
    counter.reset();
    const order = dataOf(await sendAs(server.graphqlUrl, buyer.token, CheckoutDocument, { input: { idempotencyKey: `lines-${lines}`, shippingAddress: ADDRESS } })).checkout;
    const statements = [...counter.statements];
    expect(order.lines.map((line) => line.product.id).sort()).toEqual([...products].sort());
    expect(order.payment.clientSecret).toEqual(expect.any(String));
    return { count: statements.length, statements };
  }

  it('should check out a cart of one line or of five in the same few statements, with no transaction of its own around them', async () => {
    const one = await countedCheckout(1);
    const five = await countedCheckout(5);
    const listing = `one line:\n${one.statements.join('\n')}\n\nfive lines:\n${five.statements.join('\n')}`;
    expect({ one: one.count, five: five.count, listing }).toEqual({ one: five.count, five: five.count, listing });
    expect(one.count).toBeLessThanOrEqual(MAX_STATEMENTS);
    // The writes are one statement, a transaction on its own: no BEGIN, no COMMIT, no row lock held across round trips.
    expect(one.statements.filter((sql) => /^\s*(begin|commit)\b/i.test(sql))).toEqual([]);
  });
});
