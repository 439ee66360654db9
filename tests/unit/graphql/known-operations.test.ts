import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CONTRACT_OPERATIONS, operationLabel } from '../../../src/graphql/known-operations';

const contractDir = join(__dirname, '..', '..', 'contract');

describe('the operation names that metrics may use as labels', () => {
  it("should be exactly the contract's operations", () => {
    const names = readdirSync(contractDir)
      .filter((file) => file.endsWith('.graphql'))
      .flatMap((file) => [...readFileSync(join(contractDir, file), 'utf8').matchAll(/^(?:query|mutation|subscription) ([A-Za-z0-9_]+)/gm)].map((match) => match[1]!));
    expect([...CONTRACT_OPERATIONS].sort()).toEqual([...new Set(names)].sort());
  });

  it('should label any other name `other`, and no name `anonymous`', () => {
    expect(operationLabel('Catalog')).toBe('Catalog');
    expect(operationLabel('x'.repeat(20_000))).toBe('other');
    expect(operationLabel(undefined)).toBe('anonymous');
  });
});
