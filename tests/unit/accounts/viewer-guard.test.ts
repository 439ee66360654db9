import { describe, expect, it } from '@jest/globals';
import type { GraphQLFormattedError } from 'graphql';
import { createErrorFormatter } from '../../../src/graphql/format-error';
import type { RequestContext } from '../../../src/modules/request-context';
import { createLogger } from '../../../src/infra/logger';
import { createPasswordService, type PasswordServiceDeps } from '../../../src/modules/accounts/password.service';
import { Role, UserStatus } from '../../../src/modules/accounts/user.entity';
import type { Authentication } from '../../../src/modules/accounts/viewer';
import { cartService } from '../../../src/modules/cart/cart.service';
import { createInProcessGenerations } from '../../../src/modules/accounts/viewer-generations';
import { createViewerCache } from '../../../src/modules/accounts/viewer-cache';
import { createCatalogVersion } from '../../../src/modules/catalog/catalog-version';
import { createProductAdminService } from '../../../src/modules/catalog/product-admin.service';
import { createShopService } from '../../../src/modules/catalog/shop.service';
import type { CreateShopInput } from '../../../src/modules/catalog/shop.inputs';
import { createInventoryService } from '../../../src/modules/inventory/inventory.service';
import type { CheckoutInput } from '../../../src/modules/orders/checkout.inputs';
import { createCheckoutService } from '../../../src/modules/orders/checkout.service';
import type { ShipmentInput } from '../../../src/modules/orders/fulfilment.inputs';
import { fulfilmentService } from '../../../src/modules/orders/fulfilment.service';
import { createOrderService } from '../../../src/modules/orders/order.service';

/**
 * graphql-shield refuses callers without a usable session before any guarded resolver runs, so over HTTP these
 * services never see one. Should a rule ever let one through (a new field, a rule forgotten), each service's own
 * guard must still answer with the contract's code: a plain `Error` there, as some threw before there was one guard,
 * reaches the client as INTERNAL_SERVER_ERROR. The guard is the first thing each of these does, so a context with
 * nothing but its authentication is enough: no database is reached.
 */
const ORDER_ID = '0192f0c4-0000-7000-8000-000000000000';

/** What the catalogue's and the inventory's services are made with: real, though the guard comes before any use. */
const catalogDeps = { accounts: { viewerCache: createViewerCache({ generations: createInProcessGenerations(), logger: createLogger('silent') }) }, catalogVersion: createCatalogVersion() };
const [shopService, productAdminService, inventoryService] = [createShopService(catalogDeps), createProductAdminService(catalogDeps), createInventoryService(catalogDeps)];

const GUARDED: Array<[string, (ctx: RequestContext) => Promise<unknown>]> = [
  // Made without collaborators: the guard refuses before any is reached.
  ['checkout', (ctx) => createCheckoutService({} as never).checkout(ctx, { idempotencyKey: 'k' } as CheckoutInput)],
  ['fulfilOrder', (ctx) => fulfilmentService.fulfil(ctx, ORDER_ID, { carrier: 'Colissimo', trackingNumber: '1' } as ShipmentInput)],
  ['adjustStock', (ctx) => inventoryService.adjust(ctx, ORDER_ID, 1, 'restock')],
  // No deps: the guard comes before any of them is used (a use would throw a TypeError, INTERNAL_SERVER_ERROR).
  ['changePassword', (ctx) => createPasswordService({} as PasswordServiceDeps).change(ctx, 'the current one', 'a new long passphrase 42')],
  ['createShop', (ctx) => shopService.create(ctx, { name: 'Shop', country: 'FR', currency: 'EUR' } as CreateShopInput)],
  ['updateShop', (ctx) => shopService.update(ctx, { name: 'Shop' })],
  ['addToCart', (ctx) => cartService.add(ctx, ORDER_ID, 1)],
  ['myOrders', (ctx) => createOrderService({} as never).listMine(ctx, { first: 1, afterId: null })],
  ['cancelOrder', (ctx) => createOrderService({} as never).cancel(ctx, ORDER_ID)],
  ['createProduct', (ctx) => productAdminService.create(ctx, {} as never)],
];

const BANNED: Authentication = {
  kind: 'viewer',
  viewer: { userId: ORDER_ID, sessionId: ORDER_ID, role: Role.ARTISAN, status: UserStatus.BANNED, record: null },
};

function contextOf(auth: Authentication): RequestContext {
  return { actor: auth, viewer: auth.kind === 'viewer' ? auth.viewer : null } as unknown as RequestContext;
}

const formatError = createErrorFormatter({ logger: createLogger('silent'), isProduction: true });

/** What the client sees of what `call` throws, through the server's one error formatter. */
async function answerTo(call: () => Promise<unknown>): Promise<GraphQLFormattedError> {
  const thrown = await call().then(
    () => new Error('the call went through'),
    (error: unknown) => error,
  );
  return formatError({ message: (thrown as Error).message }, thrown);
}

describe('the one viewer guard', () => {
  it.each(GUARDED)('should answer an anonymous %s with UNAUTHENTICATED, never INTERNAL_SERVER_ERROR', async (_name, call) => {
    const answer = await answerTo(() => call(contextOf({ kind: 'anonymous' })));
    expect(answer.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' });
  });

  it.each(GUARDED)('should tell a %s with an expired token to refresh (UNAUTHENTICATED, TOKEN_EXPIRED)', async (_name, call) => {
    const answer = await answerTo(() => call(contextOf({ kind: 'rejected', problem: 'EXPIRED' })));
    expect(answer.extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
  });

  it.each(GUARDED)('should refuse a %s by a banned account with FORBIDDEN (ACCOUNT_BANNED)', async (_name, call) => {
    const answer = await answerTo(() => call(contextOf(BANNED)));
    expect(answer.extensions).toEqual({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
  });
});
