import { describe, expect, it } from '@jest/globals';
import { ErrorCode, isErrorCode } from '../../../src/shared/errors';
import { CONTRACT_ERROR_CODES } from '../../utils/contract-errors';

describe('ErrorCode', () => {
  it('should hold exactly the codes that the contract lists', () => {
    expect(CONTRACT_ERROR_CODES).toHaveLength(12);
    expect([...Object.values(ErrorCode)].sort()).toEqual([...CONTRACT_ERROR_CODES].sort());
  });

  it('should recognise its codes and nothing else', () => {
    expect(CONTRACT_ERROR_CODES.every(isErrorCode)).toBe(true);
    expect(['BAD_REQUEST', 'GRAPHQL_PARSE_FAILED', 'bad_user_input', undefined, 42].some(isErrorCode)).toBe(false);
  });
});
