import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ValidationRule } from 'graphql';

/**
 * Caps checked before any resolver runs, on HTTP and WebSocket alike. The defaults leave every operation of
 * the contract well inside them (the deepest, `Shops`, has 7 levels of nested selections).
 */
export const QUERY_LIMITS = {
  /** Levels of nested selection sets: `{ a { b } }` is 2. graphql-armor counts the leaf too, so it gets 8. */
  maxDepth: 7,
  /** Aliased fields per operation. Above armor's 15 so that a client may batch a few dozen lookups. */
  maxAliases: 30,
  maxDirectives: 20,
  /** Lexical tokens in a document, enforced by graphql-js's parser (`parse(source, { maxTokens })`). */
  maxTokens: 2_000,
  // The cost is not a validation rule: it needs the variables' values (see cost/query-cost.ts, QUERY_MAX_COST).
} as const;

/** Marks an error as a rejected limit, so the error formatter gives it QUERY_TOO_COMPLEX. */
export const QUERY_LIMIT_EXTENSION = 'queryLimit';

function rejectAs(limit: string, message: string): GraphQLArmorRejectCallback[] {
  return [
    (context) => {
      // Apollo rewrites every validation error's code to GRAPHQL_VALIDATION_FAILED but keeps other extensions.
      context?.reportError(new GraphQLError(message, { extensions: { [QUERY_LIMIT_EXTENSION]: limit } }));
    },
  ];
}

/**
 * The spec's "Operation Type Existence" rule, which graphql-js 16 lacks (17 has it as KnownOperationTypesRule):
 * without it a `mutation` sent while the schema has no Mutation type passes validation and fails in execution
 * as an internal error, when it is the client's mistake.
 */
export const knownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(new GraphQLError(`The schema does not support ${node.operation} operations`, { nodes: node }));
    }
  },
});

/**
 * Validation rules for the query limits, plus {@link knownOperationTypesRule}; with `blockIntrospection`, also
 * refuses `__schema` and `__type`.
 */
export function queryLimitRules(options: { blockIntrospection: boolean }): ValidationRule[] {
  const rules: ValidationRule[] = [
    knownOperationTypesRule,
    maxDepthRule({
      n: QUERY_LIMITS.maxDepth + 1,
      ignoreIntrospection: !options.blockIntrospection,
      // A fragment (spread or inline) is no level of its own: its selections count where it is spread, so that
      // Apollo Client's colocated fragments cost no depth and a chain of fragments cannot hide any either.
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: rejectAs('maxDepth', `Query is too deep: at most ${QUERY_LIMITS.maxDepth} levels of nested selections`),
    }) as unknown as ValidationRule,
    maxAliasesRule({
      n: QUERY_LIMITS.maxAliases,
      propagateOnRejection: false,
      onReject: rejectAs('maxAliases', `Too many aliases: at most ${QUERY_LIMITS.maxAliases} per operation`),
    }) as unknown as ValidationRule,
    maxDirectivesRule({
      n: QUERY_LIMITS.maxDirectives,
      propagateOnRejection: false,
      onReject: rejectAs('maxDirectives', `Too many directives: at most ${QUERY_LIMITS.maxDirectives} per operation`),
    }) as unknown as ValidationRule,
  ];
  if (options.blockIntrospection) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}
