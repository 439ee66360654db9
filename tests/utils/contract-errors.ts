import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import type { GraphQLFormattedError } from 'graphql';

/** The error codes that the contract's README lists, read from our copy of it. */
export const CONTRACT_ERROR_CODES: readonly string[] = (() => {
  const readme = readFileSync(join(__dirname, '..', 'contract', 'README.md'), 'utf8');
  const line = readme.split('\n').find((text) => text.includes('`extensions.code` is one of:'));
  if (!line) throw new Error('tests/contract/README.md no longer lists the error codes where expected');
  // To the end of the sentence: a code's note may hold a dot of its own (`extensions.retryAfterSeconds`).
  const list = line.slice(line.indexOf('one of:'), line.indexOf('. ', line.indexOf('one of:')));
  return [...list.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]!);
})();

/**
 * Asserts that `errors` is a non-empty list of errors as the contract describes them: each has a message and a
 * contract code; BAD_USER_INPUT names a field, RATE_LIMITED says when to retry.
 */
export function expectContractErrors(errors: readonly GraphQLFormattedError[] | undefined): void {
  expect(errors?.length).toBeGreaterThan(0);
  const problems = (errors ?? []).flatMap((error) => {
    const { code, field, retryAfterSeconds } = error.extensions ?? {};
    const about = `${JSON.stringify(error.message)} (${String(code)})`;
    return [
      typeof error.message !== 'string' && `${about} has no message`,
      !CONTRACT_ERROR_CODES.includes(code as string) && `${about} has no contract code`,
      code === 'BAD_USER_INPUT' && typeof field !== 'string' && `${about} names no field`,
      code === 'RATE_LIMITED' && typeof retryAfterSeconds !== 'number' && `${about} has no retryAfterSeconds`,
    ].filter(Boolean);
  });
  expect(problems).toEqual([]);
}
