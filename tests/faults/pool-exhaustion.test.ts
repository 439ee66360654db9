import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { Client } from 'pg';
import { Role } from '../../src/modules/accounts/user.entity';
import { ADDRESS } from '../fixtures/addresses';
import { createProduct, createShop } from '../fixtures/shops';
import { AddToCartDocument, CheckoutDocument } from '../generated/graphql';
import { createUsers } from '../utils/buyers';
import { postGraphql } from '../utils/clients';
import { availableOf, ledgerProblems } from '../utils/ledger';
import { dataOf, sendAs } from '../utils/operations';
import { startTestServer, type TestServer } from '../utils/test-server';
import { timed } from '../utils/timing';

const ACQUIRE_MS = 1_000;
const LOCK_MS = 1_000;
const STATEMENT_MS = 2_000;
/**
 * The longest a checkout may take, from the configuration: each of its waits for a connection (the context, the
 * transaction, the payment after the commit, the answer's fields) is cut at ACQUIRE_MS, its statements at
 * STATEMENT_MS (the stock update waiting on the lock at LOCK_MS), plus two seconds of slack for two busy cores.
 * Without bounds, the checkouts behind the lock waited 60 s (knex's default) and failed as HTTP 500.
 */
const BOUND_MS = 3 * ACQUIRE_MS + STATEMENT_MS + 2_000;
const BUYERS = 50;
// Enough for everyone: every refusal is then about the database, never OUT_OF_STOCK.
const STOCK = BUYERS;

describe('a pool of two connections, a held row lock and 50 checkouts at once', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      DATABASE_POOL_SIZE: '2',
      DATABASE_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_MS),
      DATABASE_LOCK_TIMEOUT_MS: String(LOCK_MS),
      DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS),
      // The queue's workers would compete for the two connections.
      RUN_WORKER: 'false',
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('should answer each within the bound, with an order or SERVICE_UNAVAILABLE over HTTP 503, and never oversell', async () => {
    const shop = await createShop(server);
    const productId = await createProduct(server, shop, { stock: STOCK });
    const buyers = await createUsers(server, BUYERS, Role.BUYER);
    for (const buyer of buyers) dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId, quantity: 1 }));

    // Another session holds the product's row lock: every checkout's stock update waits on it.
    const locker = new Client({ connectionString: server.database.url });
    await locker.connect();
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      await locker.query('rollback');
    };
    try {
      await locker.query('begin');
      await locker.query('select id from product where id = $1 for update', [productId]);
      const checkouts = buyers.map((buyer) =>
        timed(async () => {
          const response = await postGraphql(
            server.graphqlUrl,
            { query: print(CheckoutDocument), variables: { input: { idempotencyKey: 'storm', shippingAddress: ADDRESS } } },
            { authorization: `Bearer ${buyer.token}` },
          );
          // The first answer (a timeout) lets the lock go: later checkouts can then succeed.
          await release();
          return response;
        }),
      );
      const answers = await Promise.all(checkouts);

      const outcomes = answers.map(({ value, ms }) => {
        const error = value.body.errors?.[0];
        if (!error) return { kind: 'order', status: value.status, ms };
        return { kind: String(error.extensions?.code), status: value.status, retryAfter: value.headers.get('retry-after'), retryAfterSeconds: error.extensions?.retryAfterSeconds, ms };
      });
      // What the run saw, for the record: the answers by kind and status, and the slowest.
      const counts: Record<string, number> = {};
      for (const { kind, status } of outcomes) counts[`${kind} ${status}`] = (counts[`${kind} ${status}`] ?? 0) + 1;
      console.log(`Pool exhaustion: ${JSON.stringify(counts)}; slowest answer ${Math.round(Math.max(...outcomes.map(({ ms }) => ms)))} ms (bound ${BOUND_MS})`);
      expect(outcomes.filter((outcome) => outcome.ms > BOUND_MS)).toEqual([]);
      expect(outcomes.filter((outcome) => outcome.kind !== 'order' && outcome.kind !== 'SERVICE_UNAVAILABLE')).toEqual([]);
      for (const outcome of outcomes.filter((each) => each.kind === 'SERVICE_UNAVAILABLE')) {
        expect(outcome).toMatchObject({ status: 503, retryAfter: '1', retryAfterSeconds: 1 });
      }
      const orders = outcomes.filter((outcome) => outcome.kind === 'order').length;
      expect(orders).toBeGreaterThan(0);
      expect(orders).toBeLessThan(BUYERS);

      const em = server.database.orm.em.fork();
      expect(await ledgerProblems(em)).toEqual([]);
      expect(await availableOf(em, productId)).toBe(Math.max(0, STOCK - orders));
    } finally {
      await release();
      await locker.end();
    }
  });
});
