import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse, print, type ExecutionResult } from 'graphql';
import WebSocket from 'ws';
import { QUERY_LIMITS } from '../../../src/graphql/query-limits';
import { ShopsDocument } from '../../generated/graphql';
import { expectContractErrors } from '../../utils/contract-errors';
import { postGraphql, wsClient, wsExecute } from '../../utils/clients';
import { codesOf } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

/** `levels` nested selection sets under the root: products → edges → node → shop → products → …, then `id`. */
function nestedQuery(levels: number): string {
  const path = ['products(first: 1)', 'edges', 'node', 'shop'];
  const fields = Array.from({ length: levels }, (_, i) => path[i % path.length]!);
  return `{ ${fields.join(' { ')} { id }${' }'.repeat(levels - 1)} }`;
}

/** `count` aliased fields. */
const aliasedQuery = (count: number) => `{ ${Array.from({ length: count }, (_, i) => `c${i}: categories { id }`).join(' ')} }`;

describe('query limits, over HTTP and WebSocket alike', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  async function overHttp(query: string, variables?: Record<string, unknown>): Promise<ExecutionResult<unknown>> {
    return (await postGraphql(server.graphqlUrl, { query, variables })).body;
  }

  async function overWebSocket(query: string, variables?: Record<string, unknown>): Promise<ExecutionResult<unknown>> {
    const client = wsClient(server.wsUrl);
    try {
      return await wsExecute(client, parse(query) as TypedDocumentNode<unknown, Record<string, unknown>>, variables);
    } finally {
      await client.dispose();
    }
  }

  /** Sends `query` both ways; each must fail with QUERY_TOO_COMPLEX alone, and no data. */
  async function expectTooComplex(query: string): Promise<void> {
    for (const result of [await overHttp(query), await overWebSocket(query)]) {
      expectContractErrors(result.errors);
      expect(new Set(codesOf(result))).toEqual(new Set(['QUERY_TOO_COMPLEX']));
      expect(result.data).toBeUndefined();
    }
  }

  async function expectAccepted(query: string, variables?: Record<string, unknown>): Promise<void> {
    for (const result of [await overHttp(query, variables), await overWebSocket(query, variables)]) {
      expect(result.errors).toBeUndefined();
      expect(result.data).toBeDefined();
    }
  }

  it('should refuse 8 levels of nested selections with QUERY_TOO_COMPLEX', async () => {
    expect(nestedQuery(8)).toBe(
      '{ products(first: 1) { edges { node { shop { products(first: 1) { edges { node { shop { id } } } } } } } } }',
    );
    await expectTooComplex(nestedQuery(8));
  });

  it(`should accept ${QUERY_LIMITS.maxDepth} levels of nested selections`, async () => {
    await expectAccepted(nestedQuery(QUERY_LIMITS.maxDepth));
  });

  it(`should refuse more than ${QUERY_LIMITS.maxAliases} aliases with QUERY_TOO_COMPLEX`, async () => {
    await expectTooComplex(aliasedQuery(QUERY_LIMITS.maxAliases + 1));
  });

  it(`should accept ${QUERY_LIMITS.maxAliases} aliases`, async () => {
    await expectAccepted(aliasedQuery(QUERY_LIMITS.maxAliases));
  });

  it(`should refuse more than ${QUERY_LIMITS.maxDirectives} directives with QUERY_TOO_COMPLEX`, async () => {
    const fields = Array.from({ length: QUERY_LIMITS.maxDirectives + 1 }, (_, i) => `t${i}: __typename @include(if: true)`);
    await expectTooComplex(`{ ${fields.join(' ')} }`);
  });

  it(`should refuse a document of more than ${QUERY_LIMITS.maxTokens} tokens with QUERY_TOO_COMPLEX`, async () => {
    // One alias, many arguments' worth of tokens: only the token cap can refuse it.
    const query = `{ categories { ${'id '.repeat(QUERY_LIMITS.maxTokens)}} }`;
    await expectTooComplex(query);
  });

  it('should accept the deepest operation of the contract, Shops, with pages a storefront asks for', async () => {
    await expectAccepted(print(ShopsDocument), { first: 20, productsFirst: 20 });
  });

  it('should close a WebSocket whose message is larger than MAX_BODY_BYTES (1009)', async () => {
    const socket = new WebSocket(server.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { padding: 'x'.repeat(server.config.maxBodyBytes + 1) } }));
    expect(await closed).toBe(1009);
  });
});
