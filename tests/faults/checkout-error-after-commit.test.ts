import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { Client } from 'pg';
import { Role } from '../../src/modules/accounts/user.entity';
import { runSql } from '../../src/shared/sql';
import { ADDRESS } from '../fixtures/addresses';
import { createProduct, createShop } from '../fixtures/shops';
import { AddToCartDocument, CheckoutDocument } from '../generated/graphql';
import { createUser } from '../utils/buyers';
import { postGraphql } from '../utils/clients';
import { availableOf, ledgerProblems, movementsOf } from '../utils/ledger';
import { dataOf, sendAs } from '../utils/operations';
import { startFakeStripe, type FakeStripe } from '../utils/fake-stripe';
import { fakeStripeEnv } from '../utils/payments';
import { startTestServer, type TestServer } from '../utils/test-server';

const STOCK = 5;
const LOCK_TIMEOUT_MS = 500;

/**
 * A checkout whose write committed, then whose answer could not be read: while the committed order's payment intent
 * is being created at Stripe (held by the fake, which is only ever asked after the commit), another session takes an
 * exclusive lock on `product`, which the answer's `lines { product }` read, so that read waits out the lock timeout.
 * The buyer's order exists; the client must not be told that the checkout failed for good.
 */
describe('a checkout that fails after its commit', () => {
  let server: TestServer;
  let stripe: FakeStripe;
  let locker: Client;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    server = await startTestServer(fakeStripeEnv(stripe, { DATABASE_LOCK_TIMEOUT_MS: String(LOCK_TIMEOUT_MS), RUN_WORKER: 'false' }));
    locker = new Client({ connectionString: server.database.url });
    await locker.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await server?.close();
    await stripe?.stop();
  });

  it('should answer a retryable SERVICE_UNAVAILABLE whose retry with the same key answers the order, with stock taken once', async () => {
    const shop = await createShop(server);
    const productId = await createProduct(server, shop, { stock: STOCK });
    const buyer = await createUser(server, Role.BUYER);
    dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId, quantity: 2 }));
    const key = 'commit-then-fail';

    // Stripe is asked for the intent only once the order is committed: hold that request, lock what the answer
    // reads next, then let Stripe answer.
    stripe.hang({ path: '/v1/payment_intents', count: 1 });
    const checkout = () =>
      postGraphql(
        server.graphqlUrl,
        { query: print(CheckoutDocument), variables: { input: { idempotencyKey: key, shippingAddress: ADDRESS } } },
        { authorization: `Bearer ${buyer.token}` },
      );
    let lockTaken = false;
    let first: Awaited<ReturnType<typeof checkout>>;
    try {
      const answer = checkout();
      await stripe.whenHung();
      const { rowCount } = await locker.query('select 1 from customer_order where buyer_id = $1 and idempotency_key = $2', [buyer.id, key]);
      expect(rowCount).toBe(1);
      await locker.query('begin');
      lockTaken = true;
      await locker.query('lock table product in access exclusive mode');
      stripe.release();
      first = await answer;
    } finally {
      stripe.release();
      if (lockTaken) await locker.query('rollback');
    }

    // Not a failure for good: the client is told to retry, over HTTP too.
    expect(first.body.data?.checkout ?? null).toBeNull();
    expect(first.body.errors?.map((error) => error.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(first.body.errors?.[0]?.extensions?.retryAfterSeconds).toBe(1);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('1');

    const em = server.database.orm.em.fork();
    const [stored] = await runSql<{ id: string }>(em, 'select id from customer_order where buyer_id = ? and idempotency_key = ?', [buyer.id, key]);
    expect(stored).toBeDefined();

    // The retry, as the client does with the same key: the committed order, once.
    const retry = await checkout();
    expect(retry.status).toBe(200);
    expect(retry.body.errors).toBeUndefined();
    expect(retry.body.data?.checkout).toMatchObject({ id: stored!.id, status: 'PENDING_PAYMENT', lines: [{ product: { id: productId }, quantity: 2 }] });

    const [{ orders }] = (await runSql<{ orders: number }>(em, 'select count(*)::int as orders from customer_order where buyer_id = ?', [buyer.id])) as [{ orders: number }];
    expect(orders).toBe(1);
    expect((await movementsOf(em, productId)).map((movement) => [movement.reason, movement.delta, movement.order_id])).toEqual([['SALE', -2, stored!.id]]);
    expect(await availableOf(em, productId)).toBe(STOCK - 2);
    expect(await ledgerProblems(em)).toEqual([]);
  });
});
