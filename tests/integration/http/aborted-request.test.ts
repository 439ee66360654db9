import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { print } from 'graphql';
import { Client } from 'pg';
import { createLogger } from '../../../src/infra/logger';
import { Role } from '../../../src/modules/accounts/user.entity';
import { ADDRESS } from '../../fixtures/addresses';
import { createProduct, createShop } from '../../fixtures/shops';
import { AddToCartDocument, CheckoutDocument } from '../../generated/graphql';
import { createUser } from '../../utils/buyers';
import { dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

/**
 * A client that gives up on a request stuck in the server (here a checkout waiting on a row lock another session
 * holds) must leave a log line, with the operation it ran and how long it had waited: once, no line at all was left.
 */
describe('a request whose client gave up before the answer', () => {
  const lines: Record<string, unknown>[] = [];
  let server: TestServer;

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    server = await startTestServer({ RUN_WORKER: 'false' }, undefined, { logger: createLogger('info', stream) });
  });
  afterAll(() => server?.close());

  it('should be logged at warn level as aborted (499), with its operation name and duration', async () => {
    const shop = await createShop(server);
    const productId = await createProduct(server, shop, { stock: 3 });
    const buyer = await createUser(server, Role.BUYER);
    dataOf(await sendAs(server.graphqlUrl, buyer.token, AddToCartDocument, { productId, quantity: 1 }));

    const locker = new Client({ connectionString: server.database.url });
    await locker.connect();
    const giveUp = new AbortController();
    try {
      await locker.query('begin');
      await locker.query('select id from product where id = $1 for update', [productId]);
      const request = fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${buyer.token}`, 'x-request-id': 'gave-up-on-checkout' },
        body: JSON.stringify({ query: print(CheckoutDocument), operationName: 'Checkout', variables: { input: { idempotencyKey: 'abandoned', shippingAddress: ADDRESS } } }),
        signal: giveUp.signal,
      }).catch((error: unknown) => error);
      // The checkout's stock update waits for the lock: the request is in the middle of its operation.
      await waitFor(
        async () => (await locker.query(`select 1 from pg_locks where not granted and locktype in ('transactionid', 'tuple')`)).rowCount! > 0,
        10_000,
        'the checkout to wait on the row lock',
      );
      giveUp.abort();
      expect(await request).toMatchObject({ name: 'AbortError' });
      await waitFor(() => lines.some((line) => line.requestId === 'gave-up-on-checkout' && line.outcome === 'aborted'), 5_000, 'the aborted request to be logged');
    } finally {
      await locker.query('rollback').catch(() => undefined);
      await locker.end();
    }

    const line = lines.find((each) => each.requestId === 'gave-up-on-checkout' && each.outcome === 'aborted')!;
    expect(line).toMatchObject({ level: 'warn', method: 'POST', path: '/graphql', operationName: 'Checkout', status: 499, msg: 'request aborted by the client before its answer' });
    expect(line.durationMs).toEqual(expect.any(Number));
    expect(line.durationMs as number).toBeGreaterThan(0);
  });
});
