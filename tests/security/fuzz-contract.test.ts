import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  OperationTypeNode,
  print,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { Role } from '../../src/modules/accounts/user.entity';
import * as generated from '../generated/graphql';
import { signUp, type TestAccount } from '../utils/accounts';
import { createUser, type TestUser } from '../utils/buyers';
import { postGraphql } from '../utils/clients';
import { CONTRACT_ERROR_CODES } from '../utils/contract-errors';
import { startFakeStripe, type FakeStripe } from '../utils/fake-stripe';
import { fakeStripeEnv } from '../utils/payments';
import { startTestServer, type TestServer } from '../utils/test-server';
import { executeOnRawSocket, openRawSocket } from './raw-socket';

/** Strings an attacker sends first. */
const HOSTILE_STRINGS = [
  '', ' ', '   ', 'a\u0000b', '\u0000', '\ud800', 'x\udfffy', '\u202Eevil', 'zero\u200Bwidth', 'ｆｕｌｌ＠ｗｉｄｔｈ．ｔｅｓｔ',
  "'; drop table product; --", '%', '_', '\\', 'x'.repeat(10_000), '🦄'.repeat(300), '01939a3e-0000-7000-8000-000000000001',
  'not-a-uuid', 'YzE6bm90LWFuLWlk', 'null', '<script>alert(1)</script>', 'a@b.c', '+1 (555) 010-9999', 'FR', 'ZZ',
];
const HOSTILE_INTS = [0, -1, 1, 99, 100, 101, -2_147_483_648, 2_147_483_647, 1_000_000_000];

const hostileString = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));

/** An arbitrary value for `type`: sometimes valid, often hostile, sometimes of the wrong type altogether. */
function valueFor(schema: GraphQLSchema, type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.constant(null), fc.integer(), hostileString, fc.constant({ deep: { er: [1, { x: 'y' }] } }), fc.constant(2 ** 53));
  if (isNonNullType(type)) return fc.oneof({ weight: 9, arbitrary: valueFor(schema, type.ofType, depth) }, { weight: 1, arbitrary: wrong });
  if (isListType(type)) return fc.oneof(fc.array(valueFor(schema, type.ofType, depth + 1), { maxLength: 4 }), fc.constant(null), wrong);
  if (isEnumType(type)) return fc.oneof(fc.constantFrom(...type.getValues().map((value) => value.name)), hostileString);
  if (isInputObjectType(type)) {
    if (depth > 3) return fc.constant(null);
    const fields = Object.values(type.getFields());
    return fc.oneof(
      { weight: 8, arbitrary: fc.record(Object.fromEntries(fields.map((field) => [field.name, valueFor(schema, field.type, depth + 1)])), { requiredKeys: [] }) },
      { weight: 1, arbitrary: wrong },
    );
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return fc.oneof(fc.constantFrom(...HOSTILE_INTS), fc.integer(), fc.double(), hostileString);
      case 'Boolean':
        return fc.oneof(fc.boolean(), hostileString);
      default:
        return fc.oneof({ weight: 4, arbitrary: hostileString }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null)) });
    }
  }
  return wrong;
}

function operationOf(document: DocumentNode): OperationDefinitionNode {
  return document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
}

function variablesFor(schema: GraphQLSchema, operation: OperationDefinitionNode): fc.Arbitrary<Record<string, unknown>> {
  const entries = (operation.variableDefinitions ?? []).map((definition) => [
    definition.variable.name.value,
    valueFor(schema, typeFromAST(schema, definition.type as never) as GraphQLInputType),
  ]);
  // Sometimes an extra variable that nothing uses, nested deep: it once made the cache key builder overflow.
  const deep = fc.integer({ min: 1, max: 1_500 }).map((levels) => {
    let value: unknown = 'leaf';
    for (let i = 0; i < levels; i += 1) value = { a: value };
    return value;
  });
  return fc.record({ ...Object.fromEntries(entries), unused: deep }, { requiredKeys: [] });
}

/** Every failure must be as the contract says: a listed code, never INTERNAL_SERVER_ERROR. */
function problemsOf(label: string, errors: readonly { message: string; extensions?: Record<string, unknown> }[] | undefined): string[] {
  return (errors ?? []).flatMap((error) => {
    const code = error.extensions?.code as string | undefined;
    if (code === 'INTERNAL_SERVER_ERROR') return [`${label}: INTERNAL_SERVER_ERROR ${error.message}`];
    if (!code || !CONTRACT_ERROR_CODES.includes(code)) return [`${label}: code ${String(code)} (${error.message})`];
    return [];
  });
}

describe('random and hostile variables for every operation of the contract', () => {
  let fake: FakeStripe;
  let server: TestServer;
  let schema: GraphQLSchema;
  let buyer: TestAccount;
  let artisan: TestAccount;
  let admin: TestUser;
  const documents = Object.entries(generated)
    .filter(([name]) => name.endsWith('Document'))
    .map(([name, document]) => [name.replace(/Document$/, ''), document as DocumentNode] as const);

  beforeAll(async () => {
    fake = await startFakeStripe();
    server = await startTestServer({ NODE_ENV: 'production', ...fakeStripeEnv(fake), CATALOG_CACHE_TTL_SECONDS: '30' });
    schema = buildSchema(readFileSync(join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8'));
    [buyer, artisan, admin] = [await signUp(server), await signUp(server, { role: 'ARTISAN' }), await createUser(server, Role.ADMIN)];
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
  });

  it('should cover every typed operation of the contract', () => {
    expect(documents.length).toBeGreaterThanOrEqual(25);
  });

  /** An answer to one sample: its errors, and over HTTP its status. */
  type Answer = { status?: number; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] | null };

  /**
   * Sends `numRuns` samples of hostile variables of every query and mutation of the contract, each as a random caller
   * (anonymous, buyer, artisan, admin), through `send`; returns the problems found and how many errors were checked.
   */
  async function fuzzQueriesAndMutations(numRuns: number, send: (query: string, variables: Record<string, unknown>, authorization: string | undefined) => Promise<Answer>) {
    const problems: string[] = [];
    let refusals = 0;
    const callers = () => [undefined, buyer.token, artisan.token, admin.token];
    for (const [name, document] of documents) {
      const operation = operationOf(document);
      if (operation.operation === OperationTypeNode.SUBSCRIPTION) continue;
      const query = print(document);
      await fc.assert(
        fc.asyncProperty(variablesFor(schema, operation), fc.integer({ min: 0, max: 3 }), async (variables, who) => {
          const token = callers()[who];
          const answer = await send(query, variables, token ? `Bearer ${token}` : undefined);
          if ((answer.status ?? 0) >= 500) problems.push(`${name}: HTTP ${answer.status} for ${JSON.stringify(variables).slice(0, 300)}`);
          refusals += answer.errors?.length ?? 0;
          problems.push(...problemsOf(name, answer.errors ?? undefined));
        }),
        { numRuns, seed: 11 },
      );
    }
    return { problems, refusals };
  }

  it('should answer queries and mutations over HTTP with no 5xx and only contract codes, as anyone', async () => {
    const { problems, refusals } = await fuzzQueriesAndMutations(12, async (query, variables, authorization) => {
      const response = await postGraphql(server.graphqlUrl, { query, variables }, authorization ? { authorization } : {});
      return { status: response.status, errors: response.body.errors as Answer['errors'] };
    });
    expect(problems).toEqual([]);
    // The hostile samples were answered with errors, and those were checked.
    expect(refusals).toBeGreaterThan(0);
  });

  it('should answer queries and mutations over WebSocket with only contract codes, as anyone', async () => {
    // Fewer runs than over HTTP: a socket each, and the same validation behind both transports.
    const { problems, refusals } = await fuzzQueriesAndMutations(4, (query, variables, authorization) =>
      executeOnRawSocket(server.wsUrl, {}, { query, variables }, authorization ? { authorization } : {}),
    );
    expect(problems).toEqual([]);
    expect(refusals).toBeGreaterThan(0);
  });

  it('should answer subscriptions over WebSocket with only contract codes', async () => {
    const problems: string[] = [];
    for (const [name, document] of documents) {
      const operation = operationOf(document);
      if (operation.operation !== OperationTypeNode.SUBSCRIPTION) continue;
      const socket = await openRawSocket(server.wsUrl);
      await socket.init({ authorization: `Bearer ${buyer.token}` });
      const samples = fc.sample(variablesFor(schema, operation), { numRuns: 15, seed: 11 });
      samples.forEach((variables, i) => socket.send({ id: String(i), type: 'subscribe', payload: { query: print(document), variables } }));
      // As a buyer with random ids, every sample is refused: before execution (an `error` message) or by its resolver (a
      // result with errors, then `complete`). Wait for each: a pong may come before any of them (its handler does not
      // wait on the subscriptions' set-up), and a check made then would see none of their errors.
      await Promise.all(samples.map((_, i) => socket.next((message) => message.id === String(i) && (message.type === 'error' || message.type === 'complete'))));
      for (const message of socket.messages.filter((m) => m.type === 'error' || m.type === 'next')) {
        const errors = message.type === 'error' ? (message.payload as never) : (message.payload as { errors?: never }).errors;
        problems.push(...problemsOf(name, errors));
      }
      socket.close();
      expect(await socket.closed).toBe(1005);
    }
    expect(problems).toEqual([]);
  });
});
