import type { RuleTree } from '../../shared/rule-tree';
import { openFields } from '../../shared/rule-tree';
import { isAuthenticated } from '../accounts';

/** A cart is its owner's alone: the resolvers only ever read the caller's. Any logged-in user may buy. */
export const cartRules: RuleTree = {
  Query: { cart: isAuthenticated },
  Mutation: { addToCart: isAuthenticated, setCartLineQuantity: isAuthenticated },
  Cart: openFields(['id', 'lines', 'subtotal']),
  CartLine: openFields(['product', 'quantity']),
};
