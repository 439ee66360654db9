import { DriverException } from '@mikro-orm/core';
import pino from 'pino';

/**
 * Keys whose values never reach a log line, at any of the first levels of a logged object (pino's `redact` has no
 * recursive wildcard): credentials, tokens and secrets, card data, postal addresses, and GraphQL variables (they
 * carry all of these). pino removes them before serialisation, so they cost nothing when absent.
 */
const SECRET_KEYS = [
  'authorization', 'cookie', 'set-cookie', 'password', 'newPassword', 'currentPassword', 'passwordHash', 'password_hash',
  'accessToken', 'refreshToken', 'token', 'tokenHash', 'secret', 'clientSecret', 'client_secret', 'apiKey',
  'card', 'cardNumber', 'cvc', 'cvv', 'iban', 'shippingAddress', 'shipping_address', 'address', 'line1', 'line2', 'phone',
  'variables',
];

/** `redact.paths` for pino: each key at the top level and up to three levels down. */
export const REDACTED_PATHS = SECRET_KEYS.flatMap((key) => {
  const property = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const at = (prefix: string) => (property.startsWith('[') ? `${prefix}${property}` : `${prefix}${prefix ? '.' : ''}${property}`);
  return [at(''), at('*'), at('*.*'), at('*.*.*')].map((path) => path.replace(/^\./, ''));
});

/**
 * pino's error serializer, without what a database error would leak: MikroORM's message of a failed statement is the
 * SQL with its parameter values (a password hash, an address), and PostgreSQL's `detail` repeats the offending value.
 * A database error is logged as its SQLSTATE, table, constraint and column, and its stack without the message.
 */
export function safeErrorSerializer(error: unknown): unknown {
  if (!isDatabaseError(error)) return pino.stdSerializers.err(error as Error);
  const pgError = error as Error & { code?: string; table?: string; constraint?: string; column?: string; routine?: string };
  return {
    type: error.constructor.name,
    message: `database error ${pgError.code ?? 'unknown'}${pgError.constraint ? ` (constraint ${pgError.constraint})` : ''}`,
    code: pgError.code,
    table: pgError.table,
    constraint: pgError.constraint,
    column: pgError.column,
    routine: pgError.routine,
    stack: error.stack?.split('\n').filter((line) => line.trimStart().startsWith('at ')).join('\n'),
  };
}

/** MikroORM's wrapper, or node-postgres's own error (raw SQL): both carry a SQLSTATE and the statement's values. */
function isDatabaseError(error: unknown): error is Error {
  if (error instanceof DriverException) return true;
  const code: unknown = error instanceof Error && 'severity' in error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}
