import { deny, shield } from 'graphql-shield';
import { accountsRules } from '../modules/accounts/accounts.rules';
import { refuseBannedCallers } from '../modules/accounts/auth.rules';
import { catalogRules } from '../modules/catalog/catalog.rules';
import { ForbiddenError } from './errors';
import { mergeRuleTrees, openFields, type RuleTree } from './permissions-tree';

const sharedRules = {
  Money: openFields(['amount', 'currency']),
  PageInfo: openFields(['hasNextPage', 'endCursor']),
};

/**
 * Every module's rules, merged; every root field also refuses a banned user's token (`refuseBannedCallers`).
 */
export function permissionRules(): RuleTree {
  return refuseBannedCallers(mergeRuleTrees(sharedRules, catalogRules, accountsRules));
}

/**
 * graphql-shield over the whole schema. Its own default fallback is `allow`; ours denies, so a field that
 * nobody opened is closed. Errors thrown by resolvers pass through as they are (`allowExternalErrors`).
 */
export function createPermissions() {
  return shield(permissionRules(), {
    fallbackRule: deny,
    fallbackError: () => new ForbiddenError(),
    allowExternalErrors: true,
    debug: false,
  });
}
