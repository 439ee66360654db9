import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { createProduct, createShop, type TestShop } from '../../fixtures/shops';
import { AdjustStockDocument } from '../../generated/graphql';
import { createUser, type TestUser } from '../../utils/buyers';
import { availableOf, ledgerProblems, movementsOf } from '../../utils/ledger';
import { codesOf, dataOf, sendAs } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('AdjustStock', () => {
  let server: TestServer;
  let shop: TestShop;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
    shop = await createShop(server);
  });
  afterAll(() => server?.close());

  const em = () => server.database.orm.em.fork();
  const adjust = (user: TestUser | undefined, productId: string, delta: number, reason = 'counted the shelf') =>
    sendAs(server.graphqlUrl, user?.token, AdjustStockDocument, { productId, delta, reason });

  it("should let the shop's artisan restock (RESTOCK) and write off (ADJUSTMENT), keeping the reason and who", async () => {
    const productId = await createProduct(server, shop, { stock: 4 });
    expect(dataOf(await adjust(shop.owner, productId, 6, '  a new batch from the kiln ')).adjustStock).toMatchObject({ id: productId, available: 10 });
    expect(dataOf(await adjust(shop.owner, productId, -3, 'three broken in transit')).adjustStock).toMatchObject({ id: productId, available: 7 });
    expect(await movementsOf(em(), productId)).toEqual([
      expect.objectContaining({ delta: 6, reason: 'RESTOCK', note: 'a new batch from the kiln', actor_id: shop.owner.id, available_after: 10, version: 1, order_id: null }),
      expect.objectContaining({ delta: -3, reason: 'ADJUSTMENT', note: 'three broken in transit', actor_id: shop.owner.id, available_after: 7, version: 2 }),
    ]);
    expect(await ledgerProblems(em())).toEqual([]);
  });

  it('should refuse to take stock below zero with BAD_USER_INPUT on delta, and write nothing', async () => {
    const productId = await createProduct(server, shop, { stock: 2 });
    const result = await adjust(shop.owner, productId, -3);
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors[0]!.extensions?.field).toBe('delta');
    expect(await availableOf(em(), productId)).toBe(2);
    expect(await movementsOf(em(), productId)).toEqual([]);
    expect(dataOf(await adjust(shop.owner, productId, -2)).adjustStock.available).toBe(0);
  });

  it('should never go below zero when write-offs race', async () => {
    const productId = await createProduct(server, shop, { stock: 5 });
    const results = await Promise.all(Array.from({ length: 12 }, () => adjust(shop.owner, productId, -1)));
    expect(results.filter((result) => result.errors.length === 0)).toHaveLength(5);
    expect(results.flatMap((result) => codesOf(result))).toEqual(Array.from({ length: 7 }, () => 'BAD_USER_INPUT'));
    expect(await availableOf(em(), productId)).toBe(0);
    expect(await ledgerProblems(em())).toEqual([]);
  });

  it('should refuse a delta of 0, a huge delta and an empty reason with BAD_USER_INPUT naming the field', async () => {
    const productId = await createProduct(server, shop);
    const zero = await adjust(shop.owner, productId, 0);
    expect([codesOf(zero), zero.errors[0]!.extensions?.field]).toEqual([['BAD_USER_INPUT'], 'delta']);
    const huge = await adjust(shop.owner, productId, 2_000_000);
    expect([codesOf(huge), huge.errors[0]!.extensions?.field]).toEqual([['BAD_USER_INPUT'], 'delta']);
    const blank = await adjust(shop.owner, productId, 1, '   ');
    expect([codesOf(blank), blank.errors[0]!.extensions?.field]).toEqual([['BAD_USER_INPUT'], 'reason']);
    expect(await movementsOf(em(), productId)).toEqual([]);
  });

  it('should let an ADMIN adjust any shop, and refuse another artisan, a buyer and SUPPORT', async () => {
    const productId = await createProduct(server, shop, { stock: 1 });
    expect(dataOf(await adjust(await createUser(server, Role.ADMIN), productId, 2)).adjustStock.available).toBe(3);
    const otherArtisan = (await createShop(server)).owner;
    expect(codesOf(await adjust(otherArtisan, productId, 1))).toEqual(['FORBIDDEN']);
    expect(codesOf(await adjust(await createUser(server), productId, 1))).toEqual(['FORBIDDEN']);
    expect(codesOf(await adjust(await createUser(server, Role.SUPPORT), productId, 1))).toEqual(['FORBIDDEN']);
    expect(codesOf(await adjust(undefined, productId, 1))).toEqual(['UNAUTHENTICATED']);
    expect(await availableOf(em(), productId)).toBe(3);
  });

  it('should answer NOT_FOUND for a product that does not exist', async () => {
    expect(codesOf(await adjust(shop.owner, '0192f0c4-0000-7000-8000-000000000000', 1))).toEqual(['NOT_FOUND']);
  });
});
