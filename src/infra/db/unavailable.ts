/**
 * PostgreSQL SQLSTATEs that say "not now" rather than "wrong": a timeout we set fired, or the server is going away
 * or not yet back. https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const UNAVAILABLE_SQLSTATES = new Set([
  '57014', // query_canceled: statement_timeout
  '55P03', // lock_not_available: lock_timeout
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53300', // too_many_connections
  '53000', // insufficient_resources
]);

/** Socket errors of a connection to a server that is down, restarting or unreachable. */
const UNAVAILABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Messages of pg and knex for the same, which carry no code. */
const UNAVAILABLE_MESSAGES = [
  /Timeout acquiring a connection/i, // knex: the pool is exhausted (KnexTimeoutError)
  /Connection terminated/i, // pg: the server closed the connection (restart, crash)
  /Connection ended unexpectedly/i, // pg: the socket ended while a query or connect was in flight (restart)
  /Query read timeout/i, // pg: query_timeout, the server did not answer (frozen, unreachable)
  /Client has encountered a connection error/i,
];

/**
 * Whether `error` (or any error it wraps: MikroORM wraps the driver's in `DriverException`s with `cause`, graphql-js
 * a thrown non-Error in `NonErrorThrown`) means
 * that the database could not serve the request now (overload, a timeout, a restart), rather than a bug. Such
 * a failure is answered SERVICE_UNAVAILABLE, never INTERNAL_SERVER_ERROR.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, sqlState, name, message } = current as { code?: unknown; sqlState?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NETWORK_CODES.has(code))) return true;
    if (typeof sqlState === 'string' && UNAVAILABLE_SQLSTATES.has(sqlState)) return true;
    if (name === 'KnexTimeoutError') return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
    // A connection attempt to every address of a host name fails as one AggregateError of each attempt's error.
    const { errors } = current as { errors?: unknown };
    if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    // graphql-js keeps a thrown value that is not an Error of its realm as `thrownValue` (NonErrorThrown).
    const links = current as { cause?: unknown; originalError?: unknown; thrownValue?: unknown };
    current = links.cause ?? links.originalError ?? links.thrownValue;
  }
  return false;
}

/** What a client told SERVICE_UNAVAILABLE is asked to wait before it retries, in seconds. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;
