import type { GraphQLSchema } from 'graphql';
import { applyMiddleware, type IMiddlewareFieldMap, type IMiddlewareTypeMap } from 'graphql-middleware';
import { allow, deny, shield } from 'graphql-shield';
import { modules } from '../modules';
import { refuseBannedCallers } from '../modules/accounts/auth.rules';
import { ForbiddenError } from '../shared/errors';
import { mergeRuleTrees, openFields, type RuleTree } from '../shared/rule-tree';

const sharedRules = {
  Money: openFields(['amount', 'currency']),
  PageInfo: openFields(['hasNextPage', 'hasPreviousPage', 'startCursor', 'endCursor']),
};

/**
 * Every module's rules, merged (a field given a rule by two modules fails); every root field also refuses a banned
 * user's token (`refuseBannedCallers`).
 */
export function permissionRules(): RuleTree {
  return refuseBannedCallers(mergeRuleTrees(sharedRules, ...modules.map((module) => ('rules' in module ? module.rules : {}))));
}

/**
 * graphql-shield over the whole schema. Its own default fallback is `allow`; ours denies, so a field that
 * nobody opened is closed. Errors thrown by resolvers are thrown on as they are. Not with shield's
 * `allowExternalErrors`, which returns them as the field's value: graphql-js takes a returned value that is not an
 * `Error` of its own realm (a plain object a library throws; under Jest, any error made by Node's core, such as
 * ECONNREFUSED) for data, and a checkout during a PostgreSQL restart answered "Cannot return null for non-nullable
 * field Order.id" (INTERNAL_SERVER_ERROR) instead of SERVICE_UNAVAILABLE.
 */
function createPermissions(rules: RuleTree) {
  return shield(rules, {
    fallbackRule: deny,
    // Called with what a resolver threw, or with null when a rule said no.
    fallbackError: (thrown: unknown) => {
      if (thrown !== null && thrown !== undefined) throw thrown;
      return new ForbiddenError();
    },
    allowExternalErrors: false,
    debug: false,
  });
}

/**
 * Applies the permissions to the schema: shield's middleware on every field, except those whose rule is
 * exactly `allow`. On those, shield's middleware would only await `allow` (always true) before calling the
 * resolver, yet it costs an async function and three promises per field, on every scalar of every row: on
 * a catalogue page that was a large share of the CPU (see bench/). Leaving them unwrapped answers the same.
 * Every other field keeps shield, the fields nobody listed included: the `deny` fallback still closes them.
 */
export function applyPermissions(schema: GraphQLSchema): GraphQLSchema {
  const rules = permissionRules();
  const middleware = createPermissions(rules).generate(schema) as IMiddlewareTypeMap;
  for (const [type, fields] of Object.entries(rules)) {
    // shield generates a map of field middleware for every object type of the schema.
    const typeMiddleware = middleware[type] as IMiddlewareFieldMap | undefined;
    if (!typeMiddleware) continue;
    for (const [field, rule] of Object.entries(fields)) {
      if (rule === allow) delete typeMiddleware[field];
    }
  }
  return applyMiddleware(schema, middleware);
}
