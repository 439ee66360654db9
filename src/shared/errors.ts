import { GraphQLError } from 'graphql';

/** The stable `extensions.code` values of the contract. Every error a client sees carries one of them. */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  OUT_OF_STOCK = 'OUT_OF_STOCK',
  CONFLICT = 'CONFLICT',
  RATE_LIMITED = 'RATE_LIMITED',
  PAYMENT_FAILED = 'PAYMENT_FAILED',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

const CODES = new Set<string>(Object.values(ErrorCode));

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

/**
 * An expected failure, shown to the client as it is: its message and extensions are part of the API.
 * Anything else that is thrown is unexpected and reaches the client as INTERNAL_SERVER_ERROR.
 */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
    this.name = 'AppError';
  }

  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

/** One invalid field of an input, as `extensions.fields` lists it. */
export interface FieldProblem {
  /** The input as the client names it (`first`, `input.email`, `input.images.1.url`). */
  field: string;
  message: string;
}

export class BadUserInputError extends AppError {
  /**
   * @param field the offending input, as the client names it (`first`, `input.email`, `filter.shopId`).
   * @param others further invalid fields of the same input: `extensions.fields` lists them all, `field` first.
   */
  constructor(field: string, message: string, others: readonly FieldProblem[] = []) {
    super(ErrorCode.BAD_USER_INPUT, message, { field, fields: [{ field, message }, ...others] });
  }

  /** Every problem of an input at once; `extensions.field` and the message are the first one's. */
  static of(problems: readonly [FieldProblem, ...FieldProblem[]]): BadUserInputError {
    const [first, ...others] = problems;
    return new BadUserInputError(first.field, first.message, others);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(ErrorCode.NOT_FOUND, `${what} not found`);
  }
}

/** `extensions.reason` of UNAUTHENTICATED: what the client should do about it. */
export enum UnauthenticatedReason {
  /** The access token expired: refresh the session, then retry. */
  TOKEN_EXPIRED = 'TOKEN_EXPIRED',
  /** No access token where one is needed, or one that is not ours (malformed, forged), or an unknown refresh token. */
  TOKEN_INVALID = 'TOKEN_INVALID',
  /** The session ended (log-out, refresh-token reuse, a ban, an expired refresh token): log in again. */
  SESSION_ENDED = 'SESSION_ENDED',
  /** A log-in with a wrong email or password. */
  BAD_CREDENTIALS = 'BAD_CREDENTIALS',
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'You must be logged in', reason: UnauthenticatedReason = UnauthenticatedReason.TOKEN_INVALID) {
    super(ErrorCode.UNAUTHENTICATED, message, { reason });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this', reason?: string) {
    super(ErrorCode.FORBIDDEN, message, reason ? { reason } : {});
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(ErrorCode.CONFLICT, message);
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, `Too many attempts; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

/**
 * Overloaded, or a dependency is down (the pool is exhausted, a statement or lock timeout fired, PostgreSQL is
 * restarting): nothing is wrong with the request, retry it later. Over HTTP, status 503 with `Retry-After`.
 */
export class ServiceUnavailableError extends AppError {
  constructor(retryAfterSeconds: number, message = `The service is overloaded or restarting; retry in ${retryAfterSeconds} s`) {
    super(ErrorCode.SERVICE_UNAVAILABLE, message, { retryAfterSeconds });
  }
}
