import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { Role } from '../../src/modules/accounts/user.entity';
import { runSql } from '../../src/shared/sql';
import { ADDRESS } from '../fixtures/addresses';
import { createProduct, createShop } from '../fixtures/shops';
import { AddToCartDocument, CheckoutDocument } from '../generated/graphql';
import { ensureBuilt } from '../utils/build';
import { createUsers, type TestUser } from '../utils/buyers';
import { postGraphql } from '../utils/clients';
import { createTestDatabase, type TestDatabase } from '../utils/database';
import { availableOf, ledgerProblems } from '../utils/ledger';
import { dataOf, sendAs } from '../utils/operations';
import { spawnChild, type ChildServer } from '../utils/processes';
import { startTestServer, type TestServer } from '../utils/test-server';

const JWT_SECRET = 'test-secret-of-at-least-thirty-two-characters';
const STOCK = 50;
const BUYERS = 100;
/** Answers received from the doomed instance before it is killed: the rest are in flight, or not yet sent. */
const ANSWERS_BEFORE_KILL = 10;

/**
 * An API process killed with SIGKILL (an OOM kill, a lost machine) while 100 buyers race for 50 units: no handler
 * runs, transactions in flight die with their connections. Every buyer then retries on the surviving instance
 * with the same idempotency key, as a client whose request failed does.
 */
describe('an instance killed with SIGKILL in the middle of checkouts', () => {
  let database: TestDatabase;
  let survivor: TestServer;
  let doomed: ChildServer | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    database = await createTestDatabase();
    survivor = await startTestServer({ RUN_WORKER: 'false' }, database);
    doomed = await spawnChild('dist/src/main.js', {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      JWT_SECRET,
      RUN_WORKER: 'false',
      DEVELOPMENT_PAYMENT_DELAY_MS: '3600000',
    });
  }, 120_000);
  afterAll(async () => {
    await doomed?.crash();
    await survivor?.close();
    await database?.drop();
  });

  it('should never oversell, and give every buyer whose checkout committed that order on retry', async () => {
    const shop = await createShop(survivor);
    const productId = await createProduct(survivor, shop, { stock: STOCK });
    const buyers = await createUsers(survivor, BUYERS, Role.BUYER);
    for (const buyer of buyers) dataOf(await sendAs(survivor.graphqlUrl, buyer.token, AddToCartDocument, { productId, quantity: 1 }));

    const checkout = (url: string, buyer: TestUser) =>
      postGraphql(url, { query: print(CheckoutDocument), variables: { input: { idempotencyKey: 'race', shippingAddress: ADDRESS } } }, { authorization: `Bearer ${buyer.token}` });
    let answered = 0;
    let killed: Promise<void> | undefined;
    const first = await Promise.allSettled(
      buyers.map(async (buyer) => {
        const response = await checkout(doomed!.graphqlUrl, buyer);
        answered += 1;
        if (answered === ANSWERS_BEFORE_KILL) killed = doomed!.crash();
        return response;
      }),
    );
    await killed;
    const orderOf = (result: (typeof first)[number]) =>
      result.status === 'fulfilled' ? (result.value.body.data as { checkout?: { id: string } } | null)?.checkout?.id : undefined;
    const answeredOrders = first.map(orderOf);
    // Some answers may be SERVICE_UNAVAILABLE (100 checkouts on a pool of 10), some after their commit: the retry tells.
    expect(first.filter((result) => result.status === 'fulfilled').length).toBeGreaterThanOrEqual(ANSWERS_BEFORE_KILL);
    expect(first.some((result) => result.status === 'rejected')).toBe(true);

    // Everyone retries on the survivor with the same key, as a client does after a failure or no answer: a checkout
    // that committed (answered, answered with an error after its commit, or cut by the kill after it) answers its
    // order; the others try again.
    const outcomeOf = (response: Awaited<ReturnType<typeof checkout>>) =>
      (response.body.data as { checkout?: { id: string } } | null)?.checkout?.id ?? response.body.errors?.[0]?.extensions?.code;
    const codes: unknown[] = buyers.map(() => 'SERVICE_UNAVAILABLE');
    // SERVICE_UNAVAILABLE says "retry": 100 retries at once on one pool of 10 may get it again.
    for (let round = 0; round < 5 && codes.includes('SERVICE_UNAVAILABLE'); round++) {
      await Promise.all(
        buyers.map(async (buyer, index) => {
          if (codes[index] === 'SERVICE_UNAVAILABLE') codes[index] = outcomeOf(await checkout(survivor.graphqlUrl, buyer));
        }),
      );
    }
    expect(codes.filter((code) => typeof code !== 'string')).toEqual([]);
    buyers.forEach((_buyer, index) => {
      if (answeredOrders[index]) expect(codes[index]).toBe(answeredOrders[index]);
    });
    const orders = codes.filter((code) => code !== 'OUT_OF_STOCK');
    expect(orders.every((code) => /^[0-9a-f-]{36}$/.test(code as string))).toBe(true);
    expect(orders).toHaveLength(STOCK);

    const em = survivor.database.orm.em.fork();
    expect(await ledgerProblems(em)).toEqual([]);
    expect(await availableOf(em, productId)).toBe(0);
    const [row] = await runSql<{ n: string }>(em, 'select count(*) as n from customer_order');
    expect(Number(row!.n)).toBe(STOCK);
  });
});
