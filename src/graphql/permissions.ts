import { deny, shield } from 'graphql-shield';
import { accountsRules } from '../modules/accounts/accounts.rules';
import { catalogRules } from '../modules/catalog/catalog.rules';
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
  return shield(mergeRuleTrees(sharedRules, catalogRules, accountsRules), {
    fallbackRule: deny,
    fallbackError: () => new ForbiddenError(),
    allowExternalErrors: true,
    debug: false,
  });
}
