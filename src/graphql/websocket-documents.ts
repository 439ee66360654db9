import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { ErrorCode } from '../shared/errors';
import { withoutSuggestions } from './format-error';
import { QUERY_LIMITS } from './query-limits';

/** A WebSocket operation's text, parsed and validated: the document, or the errors to answer with. */
export type CheckedDocument = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };

/** Parses with the token cap and validates with the HTTP path's rules. */
export function parseAndValidate(schema: GraphQLSchema, query: string, rules: readonly ValidationRule[], hideSchemaDetails: boolean): CheckedDocument {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: QUERY_LIMITS.maxTokens });
  } catch (error) {
    return { errors: [error instanceof GraphQLError ? error : new GraphQLError('Could not parse the operation')] };
  }
  const errors = validate(schema, document, rules);
  return errors.length ? { errors: errors.map((error) => asValidationError(error, hideSchemaDetails)) } : { document };
}

/**
 * graphql-ws passes validation errors on as graphql-js makes them, with no code; Apollo's HTTP path gives them
 * GRAPHQL_VALIDATION_FAILED. Without it the error formatter takes them for bugs: INTERNAL_SERVER_ERROR, logged.
 */
function asValidationError(error: GraphQLError, hideSchemaDetails: boolean): GraphQLError {
  return new GraphQLError(hideSchemaDetails ? withoutSuggestions(error.message) : error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
  });
}
