import type { RuleTree } from '../../graphql/permissions-tree';
import { openFields } from '../../graphql/permissions-tree';

/** What anyone may see of a user: the public profile shown beside a shop. The rest stays closed. */
export const accountsRules: RuleTree = {
  User: openFields(['id', 'displayName']),
};
