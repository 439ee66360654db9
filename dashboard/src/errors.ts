import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import type { GraphQLFormattedError } from 'graphql';
import { NetworkError } from './graphql-http';

interface ErrorExtensions {
  code?: string;
  reason?: string;
  retryAfterSeconds?: number;
  fields?: { field: string; message: string }[];
}

function extensionsOf(error: GraphQLFormattedError): ErrorExtensions {
  return (error.extensions ?? {}) as ErrorExtensions;
}

/**
 * A failure in words a person understands (never a bare code): the contract's codes and reasons mapped to what
 * happened and what to do. BAD_USER_INPUT keeps the server's own messages, which name the field and the rule.
 */
export function describeGraphqlError(error: GraphQLFormattedError): string {
  const { code, reason, retryAfterSeconds, fields } = extensionsOf(error);
  const retry = retryAfterSeconds ? ` Try again in ${retryAfterSeconds} s.` : ' Try again shortly.';
  switch (code) {
    case 'BAD_USER_INPUT':
      return `Not accepted: ${fields?.length ? fields.map((f) => f.message).join('; ') : error.message}`;
    case 'FORBIDDEN':
      return reason === 'ACCOUNT_BANNED' ? 'Your account has been banned.' : 'You are not allowed to do this: only the shop’s artisan may change its stock and orders.';
    case 'NOT_FOUND':
      return 'Not found: it no longer exists, or it is not yours to see.';
    case 'CONFLICT':
      return `Not possible in its current state: ${error.message}`;
    case 'UNAUTHENTICATED':
      return reason === 'BAD_CREDENTIALS' ? 'Wrong email or password.' : 'Your session has ended: please sign in again.';
    case 'RATE_LIMITED':
      return `Too many attempts.${retry}`;
    case 'SERVICE_UNAVAILABLE':
      return `The server is busy.${retry}`;
    case 'QUERY_TOO_COMPLEX':
      return 'The request is too large for the server.';
    default:
      return 'Something went wrong on the server.';
  }
}

/** Any failure of an operation (Apollo's errors, the session's own calls) in words. */
export function describeError(error: unknown): string {
  if (CombinedGraphQLErrors.is(error) && error.errors[0]) return describeGraphqlError(error.errors[0]);
  if (ServerError.is(error)) return `The server answered ${error.statusCode}.`;
  if (error instanceof NetworkError) return error.message;
  if (error instanceof TypeError) return 'The server cannot be reached.';
  return error instanceof Error ? error.message : String(error);
}
