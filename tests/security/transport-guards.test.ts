import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QUERY_LIMITS } from '../../src/graphql/query-limits';
import { REFRESH_COOKIE_NAME } from '../../src/modules/accounts/refresh-cookie';
import { signUp } from '../utils/accounts';
import { expectContractErrors } from '../utils/contract-errors';
import { codesOf } from '../utils/operations';
import { startTestServer, type TestServer } from '../utils/test-server';
import { openRawSocket } from './raw-socket';
import { overHttp, overWebSocket } from './transports';

/** A cross-site page: the origin a CSRF or a cross-site WebSocket comes from. */
const EVIL_ORIGIN = 'https://evil.example';

/**
 * What a request may not be, whoever sends it, against a production server: a cross-site forgery, a batch, a
 * document deeper than the limit by way of fragments, a look at the schema.
 */
describe('CSRF, batching, depth through fragments and introspection, over HTTP and WebSocket (production)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production' });
  });
  afterAll(() => server?.close());

  describe('cross-site requests', () => {
    /** A browser's cross-site request that needs no preflight: a form post, or a `fetch` with a simple content type. */
    const simpleRequest = (method: 'GET' | 'POST', contentType: string | null, body?: string, cookie?: string) =>
      fetch(method === 'GET' ? `${server.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}` : server.graphqlUrl, {
        method,
        headers: { origin: EVIL_ORIGIN, accept: 'application/json', ...(contentType ? { 'content-type': contentType } : {}), ...(cookie ? { cookie } : {}) },
        body,
      });

    it('should refuse requests a page of another site can make without a preflight: 400, BAD_USER_INPUT on the headers', async () => {
      const mutation = JSON.stringify({ query: 'mutation { logOut(refreshToken: "x") }' });
      const attempts = [
        await simpleRequest('GET', null),
        await simpleRequest('POST', 'text/plain', mutation),
        await simpleRequest('POST', 'application/x-www-form-urlencoded', `query=${encodeURIComponent('mutation { logOut(refreshToken: "x") }')}`),
        await simpleRequest('POST', 'multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${mutation}\r\n--x--\r\n`),
      ];
      for (const response of attempts) {
        expect(response.status).toBe(400);
        // Not readable by the other site either: its origin is not among CORS_ORIGINS.
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
        const { errors } = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
        expectContractErrors(errors as never);
        expect(errors.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'headers', fields: [{ field: 'headers', message: expect.any(String) }] }]);
      }
    });

    it('should refuse a forged cross-site refresh even with the victim’s refresh cookie attached', async () => {
      const victim = await signUp(server);
      const cookie = `${REFRESH_COOKIE_NAME}=${victim.refreshToken}`;
      const forged = await simpleRequest('POST', 'text/plain', JSON.stringify({ query: 'mutation { refreshSession { accessToken } }' }), cookie);
      expect(forged.status).toBe(400);
      const body = (await forged.json()) as { data?: unknown; errors: { extensions: { code: string } }[] };
      expect(body.data).toBeUndefined();
      expect(body.errors.map((error) => error.extensions.code)).toEqual(['BAD_USER_INPUT']);
      // The cookie is still the victim's: nothing was spent.
      const own = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body: JSON.stringify({ query: 'mutation { refreshSession { accessToken } }' }),
      });
      expect(((await own.json()) as { errors?: unknown }).errors).toBeUndefined();
    });

    it('should give a cross-site WebSocket no authority from cookies: the refresh cookie is never read over WebSocket', async () => {
      const victim = await signUp(server);
      const socket = await openRawSocket(server.wsUrl, { origin: EVIL_ORIGIN, cookie: `${REFRESH_COOKIE_NAME}=${victim.refreshToken}` });
      await socket.init();
      socket.send({ id: '1', type: 'subscribe', payload: { query: 'mutation { refreshSession { accessToken } }' } });
      const answer = await socket.next((message) => message.id === '1' && (message.type === 'next' || message.type === 'error'));
      const result = answer.payload as { data: unknown; errors: { extensions: Record<string, unknown> }[] };
      expect(result.data).toBeNull();
      expect(result.errors.map((error) => error.extensions)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' }]);
      socket.send({ id: '2', type: 'subscribe', payload: { query: '{ me { id } }' } });
      const me = await socket.next((message) => message.id === '2' && message.type === 'next');
      expect((me.payload as { data: unknown }).data).toEqual({ me: null });
      socket.close();
    });
  });

  describe('batching', () => {
    it('should refuse a batch of operations over HTTP with 400, BAD_USER_INPUT on the body, and run none of them', async () => {
      const victim = await signUp(server);
      const batch = [{ query: '{ __typename }' }, { query: `mutation { logOut(refreshToken: "${victim.refreshToken}") }` }];
      const response = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
      expect(body.errors.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'body', fields: [{ field: 'body', message: expect.any(String) }] }]);
      // The log-out in the batch did not run: the session lives.
      expect((await overHttp(server, '{ me { id } }', {}, victim.token)).body.data).toEqual({ me: { id: victim.id } });
    });

    it('should close a WebSocket that sends a batch of operations in one message with 4400', async () => {
      const socket = await openRawSocket(server.wsUrl);
      await socket.init();
      socket.send([
        { id: '1', type: 'subscribe', payload: { query: '{ __typename }' } },
        { id: '2', type: 'subscribe', payload: { query: '{ __typename }' } },
      ]);
      expect(await socket.closed).toBe(4400);
      expect(socket.messages.filter((message) => message.type === 'next')).toEqual([]);
    });
  });

  describe('depth through fragments', () => {
    /** `levels` nested selections, each level in a fragment of its own: products → edges → node → shop → …, then `id`. */
    function fragmentChain(levels: number): string {
      const path = ['products(first: 1)', 'edges', 'node', 'shop'];
      const typeOf = ['Query', 'ProductConnection', 'ProductEdge', 'Product', 'Shop'];
      const fragments = Array.from({ length: levels }, (_, i) => {
        const inner = i + 1 < levels ? `...L${i + 1}` : 'id';
        const owner = i === 0 ? 'Query' : typeOf[i % path.length === 0 ? 4 : i % path.length]!;
        return `fragment L${i} on ${owner} { ${path[i % path.length]} { ${inner} } }`;
      });
      return `query Deep { ...L0 } ${fragments.join(' ')}`;
    }

    it(`should count the depth of fragments' selections: ${QUERY_LIMITS.maxDepth + 1} levels are QUERY_TOO_COMPLEX on both transports`, async () => {
      const deep = fragmentChain(QUERY_LIMITS.maxDepth + 1);
      for (const result of [(await overHttp(server, deep)).body, await overWebSocket(server, deep)]) {
        expectContractErrors(result.errors);
        expect(new Set(codesOf(result))).toEqual(new Set(['QUERY_TOO_COMPLEX']));
        expect(result.data).toBeUndefined();
      }
      // The same chain one level shorter runs: a fragment is no level of its own.
      for (const result of [(await overHttp(server, fragmentChain(QUERY_LIMITS.maxDepth))).body, await overWebSocket(server, fragmentChain(QUERY_LIMITS.maxDepth))]) {
        expect(result.errors).toBeUndefined();
      }
    });

    it("should accept the contract's deepest operation, Shops, written with Apollo Client's colocated and inline fragments", async () => {
      const shops = `query Shops($first: Int!, $productsFirst: Int!) { shops(first: $first) { edges { node { ...ShopCard } } } }
        fragment ShopCard on Shop { id name products(first: $productsFirst) { edges { node { ...ProductCard } } } }
        fragment ProductCard on Product { id ... on Product { price { amount currency } category { id name } } }`;
      for (const result of [(await overHttp(server, shops, { first: 5, productsFirst: 5 })).body, await overWebSocket(server, shops, { first: 5, productsFirst: 5 })]) {
        expect(result.errors).toBeUndefined();
      }
    });

    it('should refuse fragments that spread each other (a cycle) as GRAPHQL_VALIDATION_FAILED on both transports', async () => {
      const cycle = 'query Cycle { products(first: 1) { edges { node { ...A } } } } fragment A on Product { shop { products(first: 1) { edges { node { ...B } } } } } fragment B on Product { ...A }';
      for (const result of [(await overHttp(server, cycle)).body, await overWebSocket(server, cycle)]) {
        expectContractErrors(result.errors);
        expect(codesOf(result)).toContain('GRAPHQL_VALIDATION_FAILED');
        expect(result.data).toBeUndefined();
      }
    });
  });

  describe('introspection', () => {
    const introspections = [
      '{ __schema { types { name } } }',
      '{ __type(name: "User") { fields { name } } }',
      // Hidden behind an alias and a fragment.
      'query Q { ...F } fragment F on Query { s: __schema { queryType { name } } }',
    ];

    it('should refuse introspection on both transports with GRAPHQL_VALIDATION_FAILED, and say nothing of the schema', async () => {
      for (const query of introspections) {
        const http = await overHttp(server, query);
        // The client accepts application/graphql-response+json: a document refused in validation is a 400.
        expect(http.status).toBe(400);
        for (const result of [http.body, await overWebSocket(server, query)]) {
          expectContractErrors(result.errors);
          // Apollo's own check and graphql-js's rule may each report it (HTTP adds validationErrorCode): one code.
          expect(new Set(codesOf(result))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
          expect(result.data).toBeUndefined();
          expect(JSON.stringify(result)).not.toMatch(/"(User|Product|Order)"/);
        }
      }
    });

    it('should still answer __typename, which Apollo Client adds to every selection', async () => {
      for (const result of [(await overHttp(server, '{ __typename }')).body, await overWebSocket(server, '{ __typename }')]) {
        expect(result.data).toEqual({ __typename: 'Query' });
      }
    });
  });
});
