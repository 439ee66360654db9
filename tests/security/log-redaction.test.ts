import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AddToCartDocument, CheckoutDocument, LogInDocument, RefreshSessionDocument, SignUpDocument } from '../generated/graphql';
import { createLogger } from '../../src/infra/logger';
import { runSql } from '../../src/shared/sql';
import { uniqueEmail } from '../utils/accounts';
import { createProducts, createShop } from '../fixtures/shops';
import { startFakeStripe, type FakeStripe } from '../utils/fake-stripe';
import { send } from '../utils/operations';
import { fakeStripeEnv } from '../utils/payments';
import { startTestServer, type TestServer } from '../utils/test-server';

describe('nothing secret in the logs', () => {
  let server: TestServer;
  const lines: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );

  let fake: FakeStripe;
  beforeAll(async () => {
    fake = await startFakeStripe();
    server = await startTestServer({ NODE_ENV: 'production', ...fakeStripeEnv(fake), LOG_LEVEL: 'debug' }, undefined, { logger });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
  });

  it('should log sign-up, log-in, refresh, checkout and a failing INSERT without password, hash, tokens or address', async () => {
    const email = uniqueEmail('logs');
    const password = 'a very secret password 42';
    const signedUp = await send(server, SignUpDocument, { input: { email, password, displayName: 'Logged' } }, { headers: { authorization: 'Bearer not-a-real-token-but-secret' } });
    expect(signedUp.errors?.[0]?.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    const loggedIn = await send(server, LogInDocument, { email, password });
    const { accessToken } = loggedIn.data!.logIn!;
    const refreshToken = loggedIn.data!.logIn!.refreshToken!;
    const refreshed = await send(server, RefreshSessionDocument, { refreshToken });
    const newTokens = refreshed.data!.refreshSession;
    const shop = await createShop(server);
    const [productId] = await createProducts(server, shop, [{ stock: 5 }]);
    await send(server, AddToCartDocument, { productId: productId!, quantity: 1 }, { token: newTokens.accessToken });
    const address = { name: 'Secret Recipient', line1: '7 Hidden Lane', city: 'Nowhere', postalCode: '99999', country: 'FR', phone: '+33 1 23 45 67 89' };
    const order = await send(server, CheckoutDocument, { input: { idempotencyKey: 'log-test', shippingAddress: address } } as never, { token: newTokens.accessToken });
    expect(order.errors).toBeUndefined();

    // A failing INSERT, logged as the server logs unexpected errors: its SQL holds the hash and the address.
    const [{ password_hash: hash }] = await runSql<{ password_hash: string }>(server.database.orm.em.fork(), 'select password_hash from app_user where email = ?', [email]);
    const failure = await runSql(server.database.orm.em.fork(), 'insert into app_user (id, email, password_hash, display_name) values (?, ?, ?, ?)', [
      '01939a3e-0000-7000-8000-00000000dead',
      email,
      hash,
      '7 Hidden Lane',
    ]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    logger.error({ err: failure, variables: { input: { shippingAddress: address } }, password }, 'unexpected error in a GraphQL operation');

    const log = lines.join('');
    expect(log).toContain('database error');
    for (const secret of [password, hash!, accessToken, refreshToken, newTokens.accessToken, newTokens.refreshToken!, 'not-a-real-token-but-secret', '7 Hidden Lane', 'Secret Recipient', '+33 1 23 45 67 89']) {
      expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
    }
  });
});
