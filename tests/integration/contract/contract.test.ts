import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  buildSchema,
  Kind,
  parse,
  printSchema,
  specifiedRules,
  validate,
  type DefinitionNode,
  type DocumentNode,
  type OperationDefinitionNode,
} from 'graphql';
import { knownOperationTypesRule } from '../../../src/graphql/query-limits';
import { buildAppSchema } from '../../../src/graphql/schema';

const repoRoot = join(__dirname, '..', '..', '..');
const contractDir = join(repoRoot, 'tests', 'contract');
/** The contract as the clients' teams publish it; tests/contract is our copy of it. */
const sharedContractDir = join(repoRoot, '..', 'shared', 'contract');
const schemaFile = join(repoRoot, 'schema', 'schema.graphql');

/** Operation name → the issue that will implement it. */
const pending = new Map(
  Object.entries(JSON.parse(readFileSync(join(contractDir, 'pending.json'), 'utf8')) as Record<string, unknown>).filter(
    ([name]) => !name.startsWith('_'),
  ),
);
const schema = buildSchema(readFileSync(schemaFile, 'utf8'));
const contractFiles = readdirSync(contractDir).filter((file) => file.endsWith('.graphql')).sort();

interface ContractOperation {
  file: string;
  name: string;
  /** The operation with the file's fragments, as a client would send it. */
  document: DocumentNode;
}

const operations: ContractOperation[] = contractFiles.flatMap((file) => {
  const { definitions } = parse(readFileSync(join(contractDir, file), 'utf8'));
  const fragments = definitions.filter((d: DefinitionNode) => d.kind === Kind.FRAGMENT_DEFINITION);
  return definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => {
      if (!operation.name) throw new Error(`${file} has an anonymous operation: every contract operation is named`);
      return { file, name: operation.name.value, document: { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] } };
    });
});

/**
 * graphql-js 16's own rules let `mutation { … }` through when the schema has no Mutation type: without the
 * operation-type rule, a pending mutation whose variables happen to use known types would pass as implemented.
 */
const errorsOf = (operation: ContractOperation) =>
  validate(schema, operation.document, [...specifiedRules, knownOperationTypesRule]).map((error) => error.message);

describe('the API contract', () => {
  it('should have the three client files and uniquely named operations', () => {
    expect(contractFiles).toEqual(['admin.graphql', 'artisan.graphql', 'storefront.graphql']);
    const names = operations.map((operation) => operation.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('should list in pending.json only operations that the contract has', () => {
    const names = new Set(operations.map((operation) => operation.name));
    expect([...pending.keys()].filter((name) => !names.has(name))).toEqual([]);
  });

  describe.each(operations.filter((operation) => !pending.has(operation.name)).map((operation): [string, ContractOperation] => [operation.name, operation]))(
    'implemented operation %s',
    (_name, operation) => {
      it('should validate against schema/schema.graphql', () => {
        expect(errorsOf(operation)).toEqual([]);
      });
    },
  );

  const pendingOperations = operations.filter((operation) => pending.has(operation.name));
  it('should implement every operation of the contract but those listed as pending', () => {
    expect(operations.filter((operation) => !pending.has(operation.name) && errorsOf(operation).length).map((operation) => operation.name)).toEqual([]);
  });
  // Jest refuses an empty table: once nothing is pending, there is nothing to check here.
  if (pendingOperations.length) {
    describe.each(pendingOperations.map((operation): [string, ContractOperation] => [operation.name, operation]))(
      'pending operation %s',
      (name, operation) => {
        it(`should not validate yet (once it does, take ${name} out of tests/contract/pending.json)`, () => {
          expect(errorsOf(operation).length).toBeGreaterThan(0);
        });
      },
    );
  }

  it('should check against the schema that the code builds (schema/schema.graphql is not stale)', async () => {
    const checkedIn = readFileSync(schemaFile, 'utf8');
    expect(checkedIn.endsWith(`\n${printSchema(await buildAppSchema())}\n`)).toBe(true);
  });

  const sharedExists = existsSync(sharedContractDir);
  (sharedExists ? it : it.skip)('should be byte for byte the shared contract (../shared/contract)', () => {
    const shared = readdirSync(sharedContractDir).sort();
    const ours = readdirSync(contractDir).filter((file) => file.endsWith('.graphql') || file.endsWith('.md')).sort();
    expect(ours).toEqual(shared);
    for (const file of shared) {
      const same = readFileSync(join(contractDir, file)).equals(readFileSync(join(sharedContractDir, file)));
      expect({ file, same }).toEqual({ file, same: true });
    }
  });
  if (!sharedExists) {
    it.todo(`compare tests/contract with the shared contract: ${sharedContractDir} is absent on this machine, so that check was skipped`);
  }
});
