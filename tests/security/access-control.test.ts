import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ExecutionResult } from 'graphql';
import { Role } from '../../src/modules/accounts/user.entity';
import { runSql } from '../../src/shared/sql';
import { createProducts, createShop, type TestShop } from '../fixtures/shops';
import {
  AdjustStockDocument,
  BanUserDocument,
  CancelOrderDocument,
  FulfilOrderDocument,
  OrderDocument,
  OrderUpdatesDocument,
  SetUserRoleDocument,
  StockHistoryDocument,
  UnbanUserDocument,
  UpdateProductDocument,
  UsersDocument,
} from '../generated/graphql';
import { createUser, type TestUser } from '../utils/buyers';
import { expectContractErrors } from '../utils/contract-errors';
import { AuditEventsDocument } from '../utils/documents';
import { startFakeStripe, type FakeStripe } from '../utils/fake-stripe';
import { availableOf } from '../utils/ledger';
import { fakeStripeEnv, placeOrder, StartPaymentDocument, type PlacedOrder } from '../utils/payments';
import { startTestServer, type TestServer } from '../utils/test-server';
import { overHttp, overWebSocket, refusalsOf } from './transports';

type Operation = Parameters<typeof overHttp>[1];

/**
 * Who may reach what, tried as the wrong user would, against a production server: over HTTP, then over a WebSocket
 * whose connection_init carries the same token. Each refusal is exactly the code the contract promises.
 */
describe('no order, shop or stock reachable across users, and SUPPORT reads but changes nothing (production)', () => {
  let fake: FakeStripe;
  let server: TestServer;
  let shop: TestShop;
  let otherShop: TestShop;
  let placed: PlacedOrder;
  let stranger: TestUser;
  let support: TestUser;

  beforeAll(async () => {
    fake = await startFakeStripe();
    server = await startTestServer({ NODE_ENV: 'production', ...fakeStripeEnv(fake) });
    [shop, otherShop] = [await createShop(server), await createShop(server)];
    placed = await placeOrder(server, shop, { quantity: 2, stock: 10 });
    [stranger, support] = [await createUser(server), await createUser(server, Role.SUPPORT)];
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
  });

  /** Sends `operation` as `caller` both ways; each answer must be refused with exactly `refusal`, and hold no data of the target. */
  async function expectRefusedBoth(operation: Operation, variables: Record<string, unknown>, caller: TestUser, refusal: Record<string, unknown>): Promise<ExecutionResult<unknown>[]> {
    const http = await overHttp(server, operation, variables, caller.token);
    expect(http.status).toBe(200);
    const ws = await overWebSocket(server, operation, variables, caller.token);
    for (const result of [http.body, ws]) {
      expectContractErrors(result.errors);
      expect(refusalsOf(result)).toEqual([refusal]);
    }
    return [http.body, ws];
  }

  const statusOfOrder = async (orderId: string) =>
    (await runSql<{ status: string }>(server.database.orm.em.fork(), 'select status from customer_order where id = ?', [orderId]))[0]!.status;

  describe('orders', () => {
    it("should answer NOT_FOUND to another buyer and to the shop's artisan reading an order, as for no order at all", async () => {
      const messages = new Set<string>();
      for (const caller of [stranger, shop.owner]) {
        const results = await expectRefusedBoth(OrderDocument, { id: placed.order.id }, caller, { code: 'NOT_FOUND' });
        for (const result of results) {
          expect(result.data ?? null).toBeNull();
          messages.add(result.errors![0]!.message);
        }
      }
      // The same answer for an id that exists and one that does not: nothing tells them apart.
      for (const result of await expectRefusedBoth(OrderDocument, { id: '0192f0c4-0000-7000-8000-000000000000' }, stranger, { code: 'NOT_FOUND' })) {
        messages.add(result.errors![0]!.message);
      }
      expect(messages.size).toBe(1);
    });

    it("should answer NOT_FOUND to another buyer cancelling or paying an order, and leave it as it was", async () => {
      await expectRefusedBoth(CancelOrderDocument, { id: placed.order.id }, stranger, { code: 'NOT_FOUND' });
      await expectRefusedBoth(StartPaymentDocument, { orderId: placed.order.id }, stranger, { code: 'NOT_FOUND' });
      expect(await statusOfOrder(placed.order.id)).toBe('PENDING_PAYMENT');
      expect(await availableOf(server.database.orm.em.fork(), placed.productId)).toBe(8);
    });

    it("should refuse another buyer's OrderUpdates subscription with NOT_FOUND", async () => {
      const watched = await overWebSocket(server, OrderUpdatesDocument, { orderId: placed.order.id }, stranger.token);
      expectContractErrors(watched.errors);
      expect(refusalsOf(watched)).toEqual([{ code: 'NOT_FOUND' }]);
      expect(watched.data ?? null).toBeNull();
    });

    it("should give the client secret of an order's payment to its buyer only, not to staff", async () => {
      const query = 'query Secret($id: ID!) { order(id: $id) { id payment { clientSecret } } }';
      for (const result of [(await overHttp(server, query, { id: placed.order.id }, support.token)).body, await overWebSocket(server, query, { id: placed.order.id }, support.token)]) {
        expect(refusalsOf(result)).toEqual([{ code: 'FORBIDDEN' }]);
        expect(result.data).toEqual({ order: { id: placed.order.id, payment: { clientSecret: null } } });
      }
      const own = (await overHttp(server, query, { id: placed.order.id }, placed.buyer.token)).body;
      expect(own.errors).toBeUndefined();
      expect((own.data as { order: { payment: { clientSecret: string } } }).order.payment.clientSecret).toMatch(/^pi_/);
    });
  });

  describe('shops', () => {
    it("should refuse a shop's orders to another artisan and to a buyer: null there with FORBIDDEN", async () => {
      const query = `query ShopPage($slug: String!) { shop(slug: $slug) { id orders(first: 5) { edges { node { order { id } shippingAddress { name } } } } } }`;
      for (const caller of [otherShop.owner, placed.buyer]) {
        const results = await expectRefusedBoth(query, { slug: `shop-${shop.id}` }, caller, { code: 'FORBIDDEN' });
        for (const result of results) expect(result.data).toEqual({ shop: { id: shop.id, orders: null } });
      }
    });

    it("should answer NOT_FOUND to another shop's artisan shipping an order it holds nothing of", async () => {
      await expectRefusedBoth(FulfilOrderDocument, { orderId: placed.order.id, input: { carrier: 'DHL', trackingNumber: 'X1' } }, otherShop.owner, { code: 'NOT_FOUND' });
      expect(await statusOfOrder(placed.order.id)).toBe('PENDING_PAYMENT');
    });

    it("should refuse another artisan changing or archiving a shop's product with FORBIDDEN", async () => {
      const [productId] = await createProducts(server, shop, [{ priceAmount: 1_000 }]);
      await expectRefusedBoth(UpdateProductDocument, { id: productId, input: { priceAmount: 1 } }, otherShop.owner, { code: 'FORBIDDEN' });
      await expectRefusedBoth(UpdateProductDocument, { id: productId, input: { archived: true } }, otherShop.owner, { code: 'FORBIDDEN' });
      const [row] = await runSql<{ price_amount: number; archived: boolean }>(server.database.orm.em.fork(), 'select price_amount, archived from product where id = ?', [productId]);
      expect(row).toEqual({ price_amount: 1_000, archived: false });
    });

    it("should show a shop owner's email to nobody but the owner and staff", async () => {
      const query = `query Owner($slug: String!) { shop(slug: $slug) { owner { id email } } }`;
      const results = await expectRefusedBoth(query, { slug: `shop-${shop.id}` }, otherShop.owner, { code: 'FORBIDDEN' });
      for (const result of results) expect(result.data).toEqual({ shop: { owner: { id: shop.owner.id, email: null } } });
    });
  });

  describe('stock', () => {
    it("should refuse another artisan and a buyer adjusting a shop's stock with FORBIDDEN, and change nothing", async () => {
      const [productId] = await createProducts(server, shop, [{ stock: 5 }]);
      for (const caller of [otherShop.owner, stranger]) {
        await expectRefusedBoth(AdjustStockDocument, { productId, delta: -5, reason: 'theft' }, caller, { code: 'FORBIDDEN' });
      }
      expect(await availableOf(server.database.orm.em.fork(), productId!)).toBe(5);
    });

    it("should answer NOT_FOUND to another artisan and a buyer reading a product's stock ledger", async () => {
      for (const caller of [otherShop.owner, stranger]) {
        await expectRefusedBoth(StockHistoryDocument, { productId: placed.productId, first: 5 }, caller, { code: 'NOT_FOUND' });
      }
    });
  });

  describe('SUPPORT', () => {
    it('should let SUPPORT read users and orders, over HTTP and WebSocket', async () => {
      for (const result of [(await overHttp(server, UsersDocument, { first: 1 }, support.token)).body, await overWebSocket(server, UsersDocument, { first: 1 }, support.token)]) {
        expect(result.errors).toBeUndefined();
      }
      for (const result of [(await overHttp(server, OrderDocument, { id: placed.order.id }, support.token)).body, await overWebSocket(server, OrderDocument, { id: placed.order.id }, support.token)]) {
        expect(result.errors).toBeUndefined();
        expect((result.data as { order: { id: string } }).order.id).toBe(placed.order.id);
      }
    });

    it('should refuse SUPPORT banning, unbanning and changing roles with FORBIDDEN, and change nothing', async () => {
      const target = await createUser(server);
      await expectRefusedBoth(BanUserDocument, { userId: target.id, reason: 'support tries' }, support, { code: 'FORBIDDEN' });
      await expectRefusedBoth(UnbanUserDocument, { userId: target.id }, support, { code: 'FORBIDDEN' });
      await expectRefusedBoth(SetUserRoleDocument, { userId: target.id, role: 'ADMIN' }, support, { code: 'FORBIDDEN' });
      // Promoting itself is no way round it.
      await expectRefusedBoth(SetUserRoleDocument, { userId: support.id, role: 'ADMIN' }, support, { code: 'FORBIDDEN' });
      const rows = await runSql<{ id: string; role: string; status: string }>(server.database.orm.em.fork(), 'select id, role, status from app_user where id in (?, ?) order by id', [target.id, support.id]);
      expect(rows.map(({ role, status }) => [role, status]).sort()).toEqual([['BUYER', 'ACTIVE'], ['SUPPORT', 'ACTIVE']]);
    });

    it("should refuse SUPPORT cancelling or paying an order, changing stock or products, and reading the audit log, with FORBIDDEN", async () => {
      await expectRefusedBoth(CancelOrderDocument, { id: placed.order.id }, support, { code: 'FORBIDDEN' });
      await expectRefusedBoth(StartPaymentDocument, { orderId: placed.order.id }, support, { code: 'FORBIDDEN' });
      await expectRefusedBoth(AdjustStockDocument, { productId: placed.productId, delta: 1, reason: 'support tries' }, support, { code: 'FORBIDDEN' });
      await expectRefusedBoth(UpdateProductDocument, { id: placed.productId, input: { priceAmount: 1 } }, support, { code: 'FORBIDDEN' });
      await expectRefusedBoth(AuditEventsDocument, { first: 1 }, support, { code: 'FORBIDDEN' });
      expect(await statusOfOrder(placed.order.id)).toBe('PENDING_PAYMENT');
      expect(await availableOf(server.database.orm.em.fork(), placed.productId)).toBe(8);
    });
  });
});
