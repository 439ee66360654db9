import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { Role } from '../../src/modules/accounts/user.entity';
import { AdjustStockDocument, BanUserDocument, CatalogDocument, CheckoutDocument, MeDocument, SignUpDocument } from '../generated/graphql';
import { signUp, uniqueEmail } from '../utils/accounts';
import { createUser } from '../utils/buyers';
import { createProducts, createShop } from '../fixtures/shops';
import { postGraphql } from '../utils/clients';
import { send } from '../utils/operations';
import { startTestServer, type TestServer } from '../utils/test-server';
import { openRawSocket } from './raw-socket';
import { overWebSocket } from './transports';

const ADDRESS = { name: 'Ana', line1: '1 rue de la Paix', city: 'Paris', postalCode: '75002', country: 'FR' };

describe('bad input is BAD_USER_INPUT naming the field, never an internal error', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production' });
  });
  afterAll(() => server?.close());

  const signUpInput = (input: Record<string, unknown>) =>
    send(server, SignUpDocument, { input: { email: uniqueEmail('input'), password: 'a long enough password', displayName: 'Ana', ...input } as never });

  it('should refuse NUL and unpaired surrogates wherever text comes in, naming the field, over HTTP and WebSocket', async () => {
    const nulSearch = await send(server, CatalogDocument, { first: 5, filter: { search: 'a\u0000b' } } as never);
    expect(nulSearch.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.search' });
    expect((await signUpInput({ email: `a\u0000${uniqueEmail()}` })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    expect((await signUpInput({ displayName: 'Ana\ud800' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.displayName' });
    const literal = await postGraphql(server.graphqlUrl, { query: '{ product(slug: "x\\u0000y") { id } }' });
    expect(literal.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'slug' });
    const socket = await openRawSocket(server.wsUrl);
    await socket.init();
    socket.send({ id: '1', type: 'subscribe', payload: { query: print(CatalogDocument), variables: { first: 5, filter: { search: 'a\u0000b' } } } });
    const answer = await socket.next((message) => message.id === '1' && message.type === 'next');
    expect((answer.payload as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.search' });
    socket.close();
  });

  it('should refuse a NUL in an idempotency key, a shipping name, a stock reason and a ban reason, naming each, over HTTP and WebSocket', async () => {
    const buyer = await signUp(server);
    const shop = await createShop(server);
    const [productId] = await createProducts(server, shop, [{ stock: 5 }]);
    const admin = await createUser(server, Role.ADMIN);
    const cases = [
      [CheckoutDocument, { input: { idempotencyKey: 'k\u0000', shippingAddress: ADDRESS } }, buyer.token, 'input.idempotencyKey'],
      [CheckoutDocument, { input: { idempotencyKey: 'k-nul-name', shippingAddress: { ...ADDRESS, name: 'A\u0000na' } } }, buyer.token, 'input.shippingAddress.name'],
      [AdjustStockDocument, { productId, delta: 1, reason: 'restock\u0000' }, shop.owner.token, 'reason'],
      [BanUserDocument, { userId: buyer.id, reason: 'spam\u0000' }, admin.token, 'reason'],
    ] as const;
    for (const [document, variables, token, field] of cases) {
      const http = (await postGraphql(server.graphqlUrl, { query: print(document), variables }, { authorization: `Bearer ${token}` })).body;
      const ws = await overWebSocket(server, document, variables, token);
      for (const result of [http, ws]) expect({ field, refusal: result.errors?.[0]?.extensions }).toEqual({ field, refusal: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) });
    }
    expect((await send(server, MeDocument, {}, { token: buyer.token })).data?.me?.status).toBe('ACTIVE');
  });

  it('should trim strings before checking their length: a shipping name of three spaces is blank', async () => {
    const buyer = await signUp(server);
    const result = await send(server, CheckoutDocument, { input: { idempotencyKey: 'k-blank', shippingAddress: { ...ADDRESS, name: '   ' } } } as never, { token: buyer.token });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.shippingAddress.name' });
  });

  it('should NFKC-normalise emails and refuse invisible or format characters in them', async () => {
    const local = `fw${Date.now()}`;
    const fullWidth = await signUpInput({ email: `${[...local].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('')}＠example.test` });
    expect(fullWidth.errors).toBeUndefined();
    expect(fullWidth.data?.signUp.user.email).toBe(`${local}@example.test`);
    for (const email of [`zero\u200Bwidth-${Date.now()}@example.test`, `soft\u00ADhyphen-${Date.now()}@example.test`, `rtl\u202E-${Date.now()}@example.test`]) {
      expect((await signUpInput({ email })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    }
  });

  it('should refuse display names with bidirectional controls', async () => {
    expect((await signUpInput({ displayName: 'Ana\u202Egnp.exe' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.displayName' });
  });

  it('should refuse a restock past the documented maximum stock, and integers outside Int, with BAD_USER_INPUT', async () => {
    const shop = await createShop(server);
    const [productId] = await createProducts(server, shop, [{ stock: 999_500_000 }]);
    const tooMuch = await send(server, AdjustStockDocument, { productId: productId!, delta: 1_000_000, reason: 'restock' }, { token: shop.owner.token });
    expect(tooMuch.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'delta' });
    const notInt = await send(server, AdjustStockDocument, { productId: productId!, delta: 2 ** 31, reason: 'restock' }, { token: shop.owner.token });
    expect(notInt.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'delta' });
  });

  it('should answer a catalogue query with a deeply nested unused variable, not HTTP 500', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 1_500; i += 1) deep = { a: deep };
    const response = await postGraphql(server.graphqlUrl, { query: print(CatalogDocument), variables: { first: 2, unused: deep } });
    expect(response.status).toBeLessThan(500);
    expect(response.body.errors).toBeUndefined();
  });
});
