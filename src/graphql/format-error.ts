import { unwrapResolverError } from '@apollo/server/errors';
import type { ValidationError } from 'class-validator';
import { GraphQLError, Kind, type GraphQLFormattedError } from 'graphql';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../infra/db/unavailable';
import type { Logger } from '../infra/logger';
import { ErrorCode, isErrorCode } from '../shared/errors';
import { QUERY_LIMIT_EXTENSION } from './query-limits';
import { validationProblems } from './validate-argument';

export interface ErrorFormatterOptions {
  logger: Logger;
  /** In production, unexpected errors say only "Internal server error". */
  isProduction: boolean;
}

/**
 * The one place where errors become what the client sees, for HTTP and WebSocket alike. It never throws.
 * Expected errors keep their message and contract code; a known protocol error is mapped onto a contract
 * code; anything else is logged in full and masked as INTERNAL_SERVER_ERROR.
 */
export function createErrorFormatter(options: ErrorFormatterOptions) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    // Production hides the schema: "Did you mean …" names fields, types and enum values the caller did not know.
    if (options.isProduction) formatted = { ...formatted, message: withoutSuggestions(formatted.message) };
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    const extensions = (original instanceof GraphQLError ? original.extensions : formatted.extensions) ?? {};
    const code = extensions.code;

    if (original instanceof GraphQLError && Array.isArray(extensions.validationErrors)) {
      // class-validator's errors from type-graphql's ArgumentValidationError, should an argument bypass validateArgument.
      const fields = validationProblems(extensions.validationErrors as ValidationError[]);
      return { ...base, message: fields[0]!.message, extensions: { code: ErrorCode.BAD_USER_INPUT, field: fields[0]!.field, fields } };
    }
    if (formatted.extensions?.[QUERY_LIMIT_EXTENSION] || extensions[QUERY_LIMIT_EXTENSION]) {
      return { ...base, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } };
    }
    if (original instanceof GraphQLError && isErrorCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      // `http` is Apollo's note to itself (the status of a validation error), never meant for the client.
      const { code: _code, validationErrors: _v, stacktrace: _s, http: _h, ...rest } = extensions;
      if (code === ErrorCode.BAD_USER_INPUT && rest.field === undefined) rest.field = variableName(formatted.message);
      // Every invalid field at once: a single one is a list of one.
      if (code === ErrorCode.BAD_USER_INPUT && rest.fields === undefined && typeof rest.field === 'string') rest.fields = [{ field: rest.field, message: original.message }];
      return { ...base, message: options.isProduction ? withoutSuggestions(original.message) : original.message, extensions: { ...rest, code } };
    }
    const protocolCode = protocolErrorCode(typeof code === 'string' ? code : undefined, formatted.message, original);
    if (protocolCode) {
      const requestField = code === 'BAD_REQUEST' || code === undefined ? requestPart(formatted.message) : undefined;
      const field = protocolCode === ErrorCode.BAD_USER_INPUT ? (variableName(formatted.message) ?? requestField) : undefined;
      return { ...base, extensions: field ? { code: protocolCode, field, fields: [{ field, message: formatted.message }] } : { code: protocolCode } };
    }

    if (isDatabaseUnavailable(original)) {
      // Overload or a restart, not a bug: the client may retry (HTTP 503 and Retry-After, see serviceUnavailablePlugin).
      options.logger.warn({ err: original }, 'database unavailable: answered SERVICE_UNAVAILABLE');
      const message = 'The service is overloaded or restarting; retry shortly';
      return { ...base, message, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS } };
    }
    options.logger.error({ err: original }, 'unexpected error in a GraphQL operation');
    return {
      ...base,
      message: options.isProduction ? 'Internal server error' : `Internal server error: ${formatted.message}`,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/** Apollo's and graphql-js's own errors (no resolver behind them), onto the contract's codes. */
function protocolErrorCode(code: string | undefined, message: string, original: unknown): ErrorCode | undefined {
  switch (code) {
    case 'GRAPHQL_PARSE_FAILED':
      // graphql-js's `maxTokens` guard reports itself as a syntax error.
      return /tokens/i.test(message) ? ErrorCode.QUERY_TOO_COMPLEX : ErrorCode.GRAPHQL_VALIDATION_FAILED;
    case 'GRAPHQL_VALIDATION_FAILED':
    case 'OPERATION_RESOLUTION_FAILURE':
    case 'PERSISTED_QUERY_NOT_FOUND':
    case 'PERSISTED_QUERY_NOT_SUPPORTED':
      return ErrorCode.GRAPHQL_VALIDATION_FAILED;
    case 'BAD_USER_INPUT':
    case 'BAD_REQUEST':
      return ErrorCode.BAD_USER_INPUT;
    case undefined:
      // Apollo's automatic persisted queries: a text sent with a hash that is not its own.
      if (message === 'provided sha does not match query') return ErrorCode.BAD_USER_INPUT;
      // graphql-ws reports parse errors and variable-coercion errors with no code at all.
      if (/^Syntax Error/.test(message)) return /tokens/i.test(message) ? ErrorCode.QUERY_TOO_COMPLEX : ErrorCode.GRAPHQL_VALIDATION_FAILED;
      // A variable's value that does not fit its type: graphql-js points at the variable definition alone (Apollo
      // tells these apart the same way). Validation errors about variables never get here: they have a code.
      if (original instanceof GraphQLError && original.nodes?.length === 1 && original.nodes[0]!.kind === Kind.VARIABLE_DEFINITION) {
        return ErrorCode.BAD_USER_INPUT;
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * The part of the HTTP request that one of Apollo's request errors (BAD_REQUEST: no query, a batch, variables
 * sent as a string, CSRF prevention) is about, since the contract's BAD_USER_INPUT always names a field.
 */
function requestPart(message: string): string {
  const parameter = /\b(variables|extensions|operationName)\b/.exec(message)?.[1];
  if (parameter) return parameter;
  if (/\bquer(y|ies)\b/i.test(message)) return 'query';
  return /\bheaders?\b/i.test(message) ? 'headers' : 'body';
}

/** `Variable "$first" got invalid value …` names the variable: that is the offending field. */
function variableName(message: string): string | undefined {
  return /Variable "\$([A-Za-z_][A-Za-z0-9_]*)"/.exec(message)?.[1];
}

/** graphql-js's suggestions (`Did you mean "x", "y" or "z"?`) cut off a message, as Apollo's `hideSchemaDetailsFromClientErrors` does. */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean .*\?$/s, '');
}
