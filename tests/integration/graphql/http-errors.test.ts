import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GraphQLFormattedError } from 'graphql';
import { expectContractErrors } from '../../utils/contract-errors';
import { postGraphql } from '../../utils/clients';
import { codesOf } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

interface RawResponse {
  status: number;
  contentType: string;
  requestId: string | null;
  errors: GraphQLFormattedError[] | undefined;
}

/** Sends `body` as it is and reads the answer as JSON, failing on anything else (an HTML page, say). */
async function postRaw(url: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  let json: { errors?: GraphQLFormattedError[] };
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`status ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    requestId: response.headers.get('x-request-id'),
    errors: json.errors,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('HTTP request errors', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('should answer a malformed JSON body with a GraphQL error in JSON, status 400', async () => {
    const response = await postRaw(server.graphqlUrl, '{ "query": "{ __typename }"', { accept: 'application/json' });
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.errors).toEqual([{ message: expect.any(String), extensions: { code: 'BAD_USER_INPUT', field: 'body', fields: [{ field: 'body', message: expect.any(String) }] } }]);
  });

  it('should answer a malformed JSON body in the media type the client prefers', async () => {
    const response = await postRaw(server.graphqlUrl, 'not json', { accept: 'application/graphql-response+json' });
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/graphql-response\+json/);
    expectContractErrors(response.errors);
  });

  it('should answer a body over MAX_BODY_BYTES with a GraphQL error in JSON, status 413', async () => {
    const padding = 'x'.repeat(server.config.maxBodyBytes + 1);
    const response = await postRaw(server.graphqlUrl, JSON.stringify({ query: '{ __typename }', variables: { padding } }));
    expect(response.status).toBe(413);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(codesOf(response)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('should accept a body just under MAX_BODY_BYTES', async () => {
    const envelope = JSON.stringify({ query: '{ __typename }', variables: { padding: '' } });
    const padding = 'x'.repeat(server.config.maxBodyBytes - envelope.length);
    const { status, body } = await postGraphql(server.graphqlUrl, { query: '{ __typename }', variables: { padding } });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { __typename: 'Query' }, extensions: { cost: expect.objectContaining({ requested: 0 }) } });
  });

  it('should refuse a batch (a JSON array of operations) with BAD_USER_INPUT', async () => {
    const response = await postRaw(server.graphqlUrl, JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'body', fields: [{ field: 'body', message: expect.any(String) }] }]);
  });

  it('should echo the X-Request-Id that the client sends', async () => {
    const response = await postRaw(server.graphqlUrl, JSON.stringify({ query: '{ __typename }' }), { 'x-request-id': 'storefront-42.a:b' });
    expect(response.requestId).toBe('storefront-42.a:b');
    const health = await fetch(`${server.baseUrl}/healthz`, { headers: { 'x-request-id': 'probe-1' } });
    expect(health.headers.get('x-request-id')).toBe('probe-1');
  });

  it('should generate an X-Request-Id when the client sends none, a new one per request', async () => {
    const first = await postRaw(server.graphqlUrl, JSON.stringify({ query: '{ __typename }' }));
    const second = await postRaw(server.graphqlUrl, 'not json');
    expect(first.requestId).toMatch(UUID);
    expect(second.requestId).toMatch(UUID);
    expect(second.requestId).not.toBe(first.requestId);
  });

  it('should replace an X-Request-Id that is unsafe to log with a generated one', async () => {
    for (const unsafe of ['a b', 'x'.repeat(129), 'id\u00e9']) {
      const response = await postRaw(server.graphqlUrl, JSON.stringify({ query: '{ __typename }' }), { 'x-request-id': unsafe });
      expect(response.requestId).toMatch(UUID);
    }
  });

  it('should refuse an unknown mutation field as a validation error, not an internal one', async () => {
    const { status, body } = await postGraphql(server.graphqlUrl, { query: 'mutation { nothingHere }' });
    expect(status).toBe(400);
    expect(body.errors?.map((error) => error.extensions)).toEqual([{ code: 'GRAPHQL_VALIDATION_FAILED' }]);
  });

  it('should show validation errors with their code and nothing of Apollo\'s internals', async () => {
    const { body } = await postGraphql(server.graphqlUrl, { query: '{ nothingHere }' });
    expect(body.errors).toEqual([
      { message: 'Cannot query field "nothingHere" on type "Query".', locations: [{ line: 1, column: 3 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
    ]);
  });

  it('should keep CSRF prevention on: a GET runs only with a preflight header', async () => {
    const url = `${server.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`;
    const simple = await fetch(url, { headers: { accept: 'application/json' } });
    expect(simple.status).toBe(400);
    const { errors } = (await simple.json()) as { errors: GraphQLFormattedError[] };
    expect(errors.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'headers', fields: [{ field: 'headers', message: expect.any(String) }] }]);

    const preflighted = await fetch(url, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
    expect(await preflighted.json()).toEqual({ data: { __typename: 'Query' }, extensions: { cost: expect.objectContaining({ requested: 0 }) } });
  });

  /** Requests that go wrong in every way we know of, short of a server bug; each must fail with contract codes. */
  const badRequests: [string, string, Record<string, string>][] = [
    ['a body that is not JSON', '{', {}],
    ['an empty body', '', {}],
    ['a JSON body with no query', '{}', {}],
    ['a query that is not a string', JSON.stringify({ query: { kind: 'Document' } }), {}],
    ['variables that are not an object', JSON.stringify({ query: '{ __typename }', variables: '{}' }), {}],
    ['a syntax error', JSON.stringify({ query: '{ products(first: 1) { ' }), {}],
    ['an unknown field', JSON.stringify({ query: '{ nothingHere }' }), {}],
    ['a missing required argument', JSON.stringify({ query: '{ products { totalCount } }' }), {}],
    ['a variable of the wrong type', JSON.stringify({ query: 'query($n: Int!) { products(first: $n) { totalCount } }', variables: { n: 'ten' } }), {}],
    ['a missing variable', JSON.stringify({ query: 'query($n: Int!) { products(first: $n) { totalCount } }' }), {}],
    ['an unknown operation name', JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }), {}],
    ['two operations and no operation name', JSON.stringify({ query: 'query A { __typename } query B { __typename }' }), {}],
    ['a mutation of a field that does not exist', JSON.stringify({ query: 'mutation { nothingHere }' }), {}],
    ['a page too large', JSON.stringify({ query: '{ products(first: 1000) { totalCount } }' }), {}],
    ['a garbage cursor', JSON.stringify({ query: '{ shops(first: 1, after: "%%%") { totalCount } }' }), {}],
    ['a simple content type (CSRF prevention)', JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'text/plain' }],
  ];

  it.each(badRequests)('should fail %s with JSON errors whose codes are all in the contract', async (_what, body, headers) => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const response = await postRaw(server.graphqlUrl, body, { accept, ...headers });
      expect(response.contentType).toMatch(/^application\/(graphql-response\+)?json/);
      expectContractErrors(response.errors);
    }
  });
});
