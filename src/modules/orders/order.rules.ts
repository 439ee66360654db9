import { rule } from 'graphql-shield';
import type { RequestContext } from '../../graphql/context';
import { ForbiddenError } from '../../graphql/errors';
import { openFields, type RuleTree } from '../../graphql/permissions-tree';
import { isAuthenticated } from '../accounts/auth.rules';
import type { Payment } from '../payments/payment.entity';

/** The payment's client secret completes a payment: only the order's buyer may have it. */
const isPaymentBuyer = rule('isPaymentBuyer', { cache: 'strict' })(async (payment: Payment, _args, ctx: RequestContext) => {
  const order = await ctx.loaders.orderById.load(payment.order.id);
  return order !== null && ctx.viewer !== null && order.buyer.id === ctx.viewer.userId ? true : new ForbiddenError('Only the buyer may read the client secret');
});

/**
 * Orders: who may see which order is decided where it is fetched (the service answers NOT_FOUND to
 * anyone but the buyer, ADMIN and SUPPORT), so the fields of an order that was handed out are open.
 * `orderUpdated` checks the same in its `subscribe`; the rule here runs for each event.
 */
export const orderRules: RuleTree = {
  Query: { myOrders: isAuthenticated, order: isAuthenticated },
  Mutation: { checkout: isAuthenticated, cancelOrder: isAuthenticated, startPayment: isAuthenticated },
  Subscription: { orderUpdated: isAuthenticated },
  Order: openFields(['id', 'number', 'status', 'total', 'shippingAddress', 'lines', 'payment', 'reservedUntil', 'createdAt', 'updatedAt']),
  OrderLine: openFields(['product', 'quantity', 'unitPrice']),
  Address: openFields(['name', 'line1', 'line2', 'city', 'postalCode', 'country', 'phone']),
  Payment: { ...openFields(['provider', 'status', 'amount', 'refundReason']), clientSecret: isPaymentBuyer },
  OrderConnection: openFields(['edges', 'pageInfo', 'totalCount']),
  OrderEdge: openFields(['cursor', 'node']),
};
