import { deny, shield } from 'graphql-shield';
import { accountsRules } from '../modules/accounts/accounts.rules';
import { cartRules } from '../modules/cart/cart.rules';
import { catalogRules } from '../modules/catalog/catalog.rules';
import { inventoryRules } from '../modules/inventory/inventory.rules';
import { orderRules } from '../modules/orders/order.rules';
import { ForbiddenError } from './errors';
import { mergeRuleTrees, openFields } from './permissions-tree';

const sharedRules = {
  Money: openFields(['amount', 'currency']),
  PageInfo: openFields(['hasNextPage', 'endCursor']),
};

/**
 * graphql-shield over the whole schema. Its own default fallback is `allow`; ours denies, so a field that
 * nobody opened is closed. Errors thrown by resolvers pass through as they are (`allowExternalErrors`).
 */
export function createPermissions() {
  return shield(mergeRuleTrees(sharedRules, catalogRules, accountsRules, cartRules, orderRules, inventoryRules), {
    fallbackRule: deny,
    fallbackError: () => new ForbiddenError(),
    allowExternalErrors: true,
    debug: false,
  });
}
