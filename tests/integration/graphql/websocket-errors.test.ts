import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import type { GraphQLFormattedError } from 'graphql';
import { expectContractErrors } from '../../utils/contract-errors';
import { postGraphql, wsClient } from '../../utils/clients';
import { startTestServer, type TestServer } from '../../utils/test-server';

/** Runs a raw operation over graphql-ws; the errors it ends with, whether sent as `error` or in a `next`. */
function wsErrors(client: Client, query: string, variables?: Record<string, unknown>): Promise<readonly GraphQLFormattedError[]> {
  return new Promise((resolve, reject) => {
    let errors: readonly GraphQLFormattedError[] = [];
    client.subscribe(
      { query, variables },
      {
        next: (result) => {
          errors = result.errors ?? [];
        },
        error: (error) => (Array.isArray(error) ? resolve(error) : reject(error)),
        complete: () => resolve(errors),
      },
    );
  });
}

/** Operations that fail before or during execution, each with the code that Apollo's HTTP path gives it. */
const failures: [string, string, Record<string, unknown> | undefined, string, string | undefined][] = [
  ['a syntax error', '{ products(first: 1) {', undefined, 'GRAPHQL_VALIDATION_FAILED', undefined],
  ['an unknown field', '{ nothingHere }', undefined, 'GRAPHQL_VALIDATION_FAILED', undefined],
  ['an unused variable', 'query($n: Int) { categories { id } }', undefined, 'GRAPHQL_VALIDATION_FAILED', undefined],
  ['a variable of the wrong type', 'query($n: Int!) { products(first: $n) { totalCount } }', { n: 'ten' }, 'BAD_USER_INPUT', 'n'],
  ['a missing variable', 'query($n: Int!) { products(first: $n) { totalCount } }', {}, 'BAD_USER_INPUT', 'n'],
  ['a page too large', '{ products(first: 1000) { totalCount } }', undefined, 'BAD_USER_INPUT', 'first'],
];

describe('errors over WebSocket', () => {
  let server: TestServer;
  let client: Client;

  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production' });
    client = wsClient(server.wsUrl);
  });
  afterAll(async () => {
    await client?.dispose();
    await server?.close();
  });

  it.each(failures)('should fail %s with the same code and field as over HTTP', async (_what, query, variables, code, field) => {
    const errors = await wsErrors(client, query, variables);
    expectContractErrors(errors);
    expect(errors.map((error) => error.extensions)).toEqual([field ? { code, field, fields: [{ field, message: expect.any(String) }] } : { code }]);
    const http = await postGraphql(server.graphqlUrl, { query, variables });
    expect(http.body.errors?.map((error) => error.extensions)).toEqual(errors.map((error) => error.extensions));
    expect(http.body.errors?.map((error) => error.message)).toEqual(errors.map((error) => error.message));
  });
});
