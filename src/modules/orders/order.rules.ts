import { rule } from 'graphql-shield';
import type { RequestContext } from '../request-context';
import { ForbiddenError } from '../../shared/errors';
import { openFields, type RuleTree } from '../../shared/rule-tree';
import { isArtisan, isAuthenticated } from '../accounts';
import type { Shop } from '../catalog';
import type { Payment } from '../payments';
import { canSeeShopOrders } from './shop-order-access';

/**
 * The payment's client secret completes a payment: only the order's buyer may have it. Not cached by shield: its
 * 'strict' cache key hashed the Payment entity with the order graph it references (object-hash, about 2 % of a
 * checkout's CPU), while the order it reads is the request's loader's, cached there.
 */
const isPaymentBuyer = rule('isPaymentBuyer', { cache: 'no_cache' })(async (payment: Payment, _args, ctx: RequestContext) => {
  const order = await ctx.loaders.orderById.load(payment.order.id);
  return order !== null && ctx.viewer !== null && order.buyer.id === ctx.viewer.userId ? true : new ForbiddenError('Only the buyer may read the client secret');
});

/**
 * A shop's orders: its artisan (still an active ARTISAN), ADMIN and SUPPORT; anyone else, anonymous included, gets
 * FORBIDDEN on that (nullable) field alone, as for a user's private fields. Not cached: it depends on the shop.
 */
const canSeeOrdersOfShop = rule('canSeeOrdersOfShop', { cache: 'no_cache' })((shop: Shop, _args, ctx: RequestContext) =>
  canSeeShopOrders(ctx.viewer, shop) ? true : new ForbiddenError("Only the shop's artisan and staff may see its orders"),
);

/**
 * Orders: who may see which order is decided where it is fetched (the service answers NOT_FOUND to
 * anyone but the buyer, ADMIN and SUPPORT), so the fields of an order that was handed out are open.
 * `orderUpdated` checks the same in its `subscribe`; the rule here runs for each event.
 */
export const orderRules: RuleTree = {
  Query: { myOrders: isAuthenticated, order: isAuthenticated },
  Mutation: { checkout: isAuthenticated, cancelOrder: isAuthenticated, startPayment: isAuthenticated, fulfilOrder: isArtisan },
  // Each is also checked in its `subscribe`, and again before each event (authorizeEachEvent).
  Subscription: { orderUpdated: isAuthenticated, shopOrderUpdated: isArtisan },
  Order: openFields(['id', 'number', 'status', 'total', 'shippingAddress', 'lines', 'shipments', 'payment', 'reservedUntil', 'createdAt', 'updatedAt']),
  Shipment: openFields(['shop', 'carrier', 'trackingNumber', 'shippedAt']),
  FulfilmentPayload: openFields(['order', 'shipment']),
  // A shop's view of its orders: `Shop.orders` decides who reaches it; its types hold nothing beyond the shop's part.
  Shop: { orders: canSeeOrdersOfShop },
  ShopOrder: openFields(['order', 'buyer', 'shippingAddress', 'lines', 'subtotal', 'shipment']),
  ShopOrderConnection: openFields(['edges', 'pageInfo', 'totalCount']),
  ShopOrderEdge: openFields(['cursor', 'node']),
  OrderSummary: openFields(['id', 'number', 'status', 'createdAt', 'updatedAt']),
  OrderBuyer: openFields(['id', 'displayName']),
  OrderLine: openFields(['product', 'quantity', 'unitPrice']),
  Address: openFields(['name', 'line1', 'line2', 'city', 'postalCode', 'country', 'phone']),
  Payment: { ...openFields(['provider', 'status', 'amount', 'refundReason']), clientSecret: isPaymentBuyer },
  OrderConnection: openFields(['edges', 'pageInfo', 'totalCount']),
  OrderEdge: openFields(['cursor', 'node']),
};
