import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse, print, type ExecutionResult } from 'graphql';
import { ShopsDocument } from '../generated/graphql';
import { signUp, uniqueEmail } from '../utils/accounts';
import { postGraphql, wsClient, wsExecute } from '../utils/clients';
import { startCluster, type Cluster } from '../utils/cluster';
import { expectContractErrors } from '../utils/contract-errors';
import { codesOf } from '../utils/operations';
import { startTestServer, type TestServer } from '../utils/test-server';
import { executeOnRawSocket } from './raw-socket';

/** 1 + 50 × (edges 1 + node 1): a query of known cost, 101. */
const PAGE_OF_50 = 'query Page($n: Int!) { products(first: $n) { edges { node { id title } } } }';
const PAGE_OF_50_COST = 101;

function overWebSocket(server: TestServer, query: string, variables?: Record<string, unknown>, token?: string): Promise<ExecutionResult<unknown>> {
  const client = wsClient(server.wsUrl, token);
  return wsExecute(client, parse(query) as TypedDocumentNode<unknown, Record<string, unknown>>, variables).finally(() => client.dispose());
}

describe('the cost of an operation counts its variables, over HTTP and WebSocket', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production' });
  });
  afterAll(() => server?.close());

  it('should refuse Shops with page sizes of 100 given as variables with QUERY_TOO_COMPLEX, cost and limit', async () => {
    const variables = { first: 100, productsFirst: 100 };
    const http = (await postGraphql(server.graphqlUrl, { query: print(ShopsDocument), variables })).body;
    const ws = await overWebSocket(server, print(ShopsDocument), variables);
    for (const result of [http, ws]) {
      expectContractErrors(result.errors);
      expect(codesOf(result)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(result.errors![0]!.extensions).toMatchObject({ cost: 40_401, limit: 5_000 });
      expect(result.data).toBeUndefined();
    }
  });

  it('should give a page size as a literal and as a variable the same cost', async () => {
    const literal = print(ShopsDocument)
      .replace('($first: Int!, $after: String, $productsFirst: Int!)', '($after: String)')
      .replace('$first', '100')
      .replace('$productsFirst', '100');
    expect(literal).toContain('products(first: 100)');
    const http = (await postGraphql(server.graphqlUrl, { query: literal, variables: {} })).body;
    expect(http.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 40_401 });
  });

  it('should refuse twenty aliases of shops(first: $n) { products(first: $n) } with n = 25 (12,500 product nodes)', async () => {
    const alias = (i: number) => `s${i}: shops(first: $n) { edges { node { products(first: $n) { edges { node { id title } } } } } }`;
    const query = `query Many($n: Int!) { ${Array.from({ length: 20 }, (_, i) => alias(i)).join(' ')} }`;
    for (const result of [(await postGraphql(server.graphqlUrl, { query, variables: { n: 25 } })).body, await overWebSocket(server, query, { n: 25 })]) {
      expect(codesOf(result)).toEqual(['QUERY_TOO_COMPLEX']);
      expect(result.errors![0]!.extensions!.cost as number).toBeGreaterThan(5_000);
    }
  });

  it('should accept what a storefront asks for, and count fragments spread many times once each time', async () => {
    const ok = await postGraphql(server.graphqlUrl, { query: print(ShopsDocument), variables: { first: 20, productsFirst: 20 } });
    expect(ok.body.errors).toBeUndefined();
    const fragments = `query F($n: Int!) { products(first: $n) { edges { node { ...A ...A } } } } fragment A on Product { shop { products(first: $n) { edges { node { id } } } } }`;
    const refused = await postGraphql(server.graphqlUrl, { query: fragments, variables: { n: 100 } });
    expect(codesOf(refused.body)).toEqual(['QUERY_TOO_COMPLEX']);
  });
});

describe('the query budget of each client', () => {
  let server: TestServer;
  beforeAll(async () => {
    // 1,000 points, refilled at 1 point a second: ten pages of 50 run, the eleventh waits.
    server = await startTestServer({ NODE_ENV: 'production', QUERY_BUDGET_POINTS: '1000', QUERY_BUDGET_RESTORE_PER_SECOND: '1', QUERY_MAX_COST: '500' });
  });
  afterAll(() => server?.close());

  const from = (address: string) => ({ 'x-forwarded-for': address });

  it('should report the cost in extensions.cost and the RateLimit headers, then refuse with RATE_LIMITED, 429 and Retry-After', async () => {
    const remaining: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      const response = await postGraphql(server.graphqlUrl, { query: PAGE_OF_50, variables: { n: 50 } }, from('198.51.100.1'));
      expect(response.body.errors).toBeUndefined();
      const cost = (response.body.extensions as { cost: { requested: number; limit: number; remaining: number } }).cost;
      expect(cost).toMatchObject({ requested: PAGE_OF_50_COST, limit: 1_000 });
      remaining.push(cost.remaining);
      expect(response.headers.get('ratelimit-policy')).toBe('"query-cost";q=1000;w=1000');
      expect(response.headers.get('ratelimit')).toMatch(new RegExp(`^"query-cost";r=${cost.remaining};t=\\d+$`));
    }
    // Refills of a second or so may land between requests: never more than one point each.
    expect(remaining[0]).toBeGreaterThanOrEqual(1_000 - PAGE_OF_50_COST);
    expect(remaining[8]).toBeLessThan(1_000 - 8 * PAGE_OF_50_COST + 20);
    const refused = await postGraphql(server.graphqlUrl, { query: PAGE_OF_50, variables: { n: 50 } }, from('198.51.100.1'));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expectContractErrors(refused.body.errors);
    expect(codesOf(refused.body)).toEqual(['RATE_LIMITED']);
    expect(refused.body.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // A cheap operation still fits in what is left.
    const cheap = await postGraphql(server.graphqlUrl, { query: '{ categories { id } }' }, from('198.51.100.1'));
    expect(cheap.body.errors).toBeUndefined();
    // Another address has its own budget.
    expect((await postGraphql(server.graphqlUrl, { query: PAGE_OF_50, variables: { n: 50 } }, from('198.51.100.2'))).body.errors).toBeUndefined();
  });

  it('should charge an answer of the anonymous catalogue cache its full cost', async () => {
    const first = await postGraphql(server.graphqlUrl, { query: PAGE_OF_50, variables: { n: 50 } }, from('198.51.100.3'));
    const second = await postGraphql(server.graphqlUrl, { query: PAGE_OF_50, variables: { n: 50 } }, from('198.51.100.3'));
    expect(second.headers.get('x-cache')).toBe('HIT');
    const costs = [first, second].map((response) => (response.body.extensions as { cost: { requested: number; remaining: number } }).cost);
    expect(costs[1]!.requested).toBe(PAGE_OF_50_COST);
    expect(costs[1]!.remaining).toBeLessThanOrEqual(costs[0]!.remaining - PAGE_OF_50_COST + 2);
  });

  it('should report the budget on answers refused before execution too', async () => {
    const response = await postGraphql(server.graphqlUrl, { query: '{ nope }' }, from('198.51.100.4'));
    expect(codesOf(response.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(response.headers.get('ratelimit')).toMatch(/^"query-cost";r=1000;t=0$/);
    expect((response.body.extensions as { cost: unknown }).cost).toEqual({ requested: 0, limit: 1_000, remaining: 1_000 });
  });

  it('should report the budget on answers refused before GraphQL runs: malformed JSON, a batch, a CSRF refusal, a preflight', async () => {
    const headers = { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.5' };
    const answers = [
      await fetch(server.graphqlUrl, { method: 'POST', headers, body: '{"query": ' }),
      await fetch(server.graphqlUrl, { method: 'POST', headers, body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]) }),
      await fetch(`${server.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'x-forwarded-for': '198.51.100.5' } }),
      await fetch(server.graphqlUrl, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'x-forwarded-for': '198.51.100.5' } }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 204]);
    for (const answer of answers) {
      expect(answer.headers.get('ratelimit-policy')).toBe('"query-cost";q=1000;w=1000');
      expect(answer.headers.get('ratelimit')).toMatch(/^"query-cost";r=1000;t=0$/);
    }
  });

  it('should share one budget between HTTP and WebSocket, and carry extensions.cost over WebSocket', async () => {
    // The WebSocket's address is the socket's: 127.0.0.1, the same as HTTP requests without X-Forwarded-For.
    const http = await postGraphql(server.graphqlUrl, { query: PAGE_OF_50, variables: { n: 50 } });
    const httpRemaining = (http.body.extensions as { cost: { remaining: number } }).cost.remaining;
    const ws = await overWebSocket(server, PAGE_OF_50, { n: 50 });
    expect(ws.errors).toBeUndefined();
    const wsCost = (ws.extensions as { cost: { requested: number; remaining: number } }).cost;
    expect(wsCost.requested).toBe(PAGE_OF_50_COST);
    expect(wsCost.remaining).toBeLessThanOrEqual(httpRemaining - PAGE_OF_50_COST + 2);
    let last: ExecutionResult<unknown> | undefined;
    for (let i = 0; i < 10 && !last?.errors; i += 1) last = await overWebSocket(server, PAGE_OF_50, { n: 50 });
    expectContractErrors(last!.errors);
    expect(codesOf(last!)).toEqual(['RATE_LIMITED']);
  });

  it("should give a signed-in user a bucket of their own, wherever they connect from", async () => {
    const user = await signUp(server, { email: uniqueEmail('budget') });
    const headers = { authorization: `Bearer ${user.token}` };
    const a = await postGraphql(server.graphqlUrl, { query: PAGE_OF_50, variables: { n: 50 } }, { ...headers, ...from('198.51.100.1') });
    const b = await postGraphql(server.graphqlUrl, { query: PAGE_OF_50, variables: { n: 50 } }, { ...headers, ...from('198.51.100.9') });
    expect(a.body.errors).toBeUndefined();
    const remainingA = (a.body.extensions as { cost: { remaining: number } }).cost.remaining;
    const remainingB = (b.body.extensions as { cost: { remaining: number } }).cost.remaining;
    expect(remainingB).toBeLessThanOrEqual(remainingA - PAGE_OF_50_COST + 2);
  });
});

describe('at most one credential field per request, and sign-ups and password resets per address', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production', SIGN_UPS_PER_ADDRESS: '2', PASSWORD_RESETS_PER_ADDRESS: '2' });
  });
  afterAll(() => server?.close());

  const signUpField = (alias: string, email: string) =>
    `${alias}: signUp(input: { email: "${email}", password: "a long enough password", displayName: "Alias" }) { accessToken }`;

  it('should refuse two aliased signUps with BAD_USER_INPUT naming the second, creating no account, over HTTP and WebSocket', async () => {
    const [one, two] = [uniqueEmail('alias'), uniqueEmail('alias')];
    const query = `mutation { ${signUpField('a', one)} ${signUpField('b', two)} }`;
    const http = (await postGraphql(server.graphqlUrl, { query }, { 'x-forwarded-for': '198.51.100.70' })).body;
    const ws = await overWebSocket(server, query);
    for (const result of [http, ws]) {
      expectContractErrors(result.errors);
      expect(result.errors!.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'b' })]);
    }
    const logIn = await postGraphql(server.graphqlUrl, { query: `mutation { logIn(email: "${one}", password: "a long enough password") { accessToken } }` });
    expect(codesOf(logIn.body)).toEqual(['UNAUTHENTICATED']);
  });

  it('should refuse a credential field hidden in a fragment next to another', async () => {
    const query = `mutation { ...F logIn(email: "a@example.test", password: "whatever password") { accessToken } } fragment F on Mutation { refreshSession(refreshToken: "x") { accessToken } }`;
    const result = (await postGraphql(server.graphqlUrl, { query })).body;
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
  });

  it('should refuse two aliased deleteMyAccount (each checks the password) with BAD_USER_INPUT, deleting nothing, over HTTP and WebSocket', async () => {
    const user = await signUp(server, { email: uniqueEmail('delete') });
    const query = `mutation { a: deleteMyAccount(password: "wrong password one") b: deleteMyAccount(password: "${user.password}") }`;
    const http = (await postGraphql(server.graphqlUrl, { query }, { authorization: `Bearer ${user.token}` })).body;
    const ws = await overWebSocket(server, query, undefined, user.token);
    for (const result of [http, ws]) {
      expectContractErrors(result.errors);
      expect(result.errors!.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'b' })]);
    }
    const me = await postGraphql(server.graphqlUrl, { query: '{ me { id } }' }, { authorization: `Bearer ${user.token}` });
    expect(me.body.data).toEqual({ me: { id: user.id } });
  });

  it('should limit password-reset requests per client address with RATE_LIMITED, whatever the emails, and count no over-long email', async () => {
    const reset = (email: string, address: string) =>
      postGraphql(server.graphqlUrl, { query: 'mutation R($email: String!) { requestPasswordReset(email: $email) }', variables: { email } }, { 'x-forwarded-for': address });
    // Over-long emails are refused before anything is counted: the address keeps its two requests.
    const overLong = await reset(`${'x'.repeat(250)}@example.test`, '198.51.100.85');
    expectContractErrors(overLong.body.errors);
    expect(overLong.body.errors!.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'email' })]);
    const outcomes = [];
    for (let i = 0; i < 3; i += 1) outcomes.push((await reset(uniqueEmail('reset'), '198.51.100.85')).body);
    expect(outcomes.map((body) => body.errors?.[0]?.extensions?.code ?? body.data)).toEqual([{ requestPasswordReset: true }, { requestPasswordReset: true }, 'RATE_LIMITED']);
    expect(outcomes[2]!.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect((await reset(uniqueEmail('reset'), '198.51.100.86')).body.data).toEqual({ requestPasswordReset: true });
  });

  it('should limit sign-ups per client address with RATE_LIMITED, before hashing', async () => {
    const address = { 'x-forwarded-for': '198.51.100.80' };
    const codes: unknown[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await postGraphql(server.graphqlUrl, { query: `mutation { ${signUpField('signUp', uniqueEmail('limited'))} }` }, address);
      codes.push(response.body.errors?.[0]?.extensions?.code ?? 'ok');
      if (i === 2) expect(response.body.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    }
    expect(codes).toEqual(['ok', 'ok', 'RATE_LIMITED']);
    const other = await postGraphql(server.graphqlUrl, { query: `mutation { ${signUpField('signUp', uniqueEmail('other'))} }` }, { 'x-forwarded-for': '198.51.100.81' });
    expect(other.body.errors).toBeUndefined();
  });

  it('should count sign-ups and password-reset requests over WebSocket against the same client address as over HTTP', async () => {
    // The proxy's X-Forwarded-For on the upgrade request is the socket's address, as on an HTTP request (TRUST_PROXY).
    const address = { 'x-forwarded-for': '198.51.100.95' };
    const signUpQuery = () => ({ query: `mutation { ${signUpField('signUp', uniqueEmail('ws-limited'))} }` });
    const resetQuery = () => ({ query: 'mutation R($email: String!) { requestPasswordReset(email: $email) }', variables: { email: uniqueEmail('ws-reset') } });
    for (const operation of [signUpQuery, resetQuery]) {
      const answers = [
        (await postGraphql(server.graphqlUrl, operation(), address)).body,
        await executeOnRawSocket(server.wsUrl, address, operation()),
        await executeOnRawSocket(server.wsUrl, address, operation()),
      ];
      expect(answers.map((answer) => answer.errors?.[0]?.extensions?.code ?? 'ok')).toEqual(['ok', 'ok', 'RATE_LIMITED']);
      expectContractErrors(answers[2]!.errors as never);
      // Another address, over WebSocket, has its own count.
      expect((await executeOnRawSocket(server.wsUrl, { 'x-forwarded-for': '198.51.100.96' }, operation())).errors).toBeUndefined();
    }
  });
});

describe('budgets shared through Redis', () => {
  let cluster: Cluster;
  let servers: TestServer[];
  beforeAll(async () => {
    cluster = await startCluster({
      instances: 2,
      redis: true,
      env: { NODE_ENV: 'production', QUERY_BUDGET_POINTS: '1000', QUERY_BUDGET_RESTORE_PER_SECOND: '1', QUERY_MAX_COST: '500', CATALOG_CACHE_TTL_SECONDS: '0' },
    });
    servers = cluster.instances;
  });
  afterAll(() => cluster?.close());

  it('should charge one client once across two instances', async () => {
    const address = { 'x-forwarded-for': '198.51.100.90' };
    const a = await postGraphql(servers[0]!.graphqlUrl, { query: PAGE_OF_50, variables: { n: 50 } }, address);
    const b = await postGraphql(servers[1]!.graphqlUrl, { query: PAGE_OF_50, variables: { n: 50 } }, address);
    const remaining = [a, b].map((response) => (response.body.extensions as { cost: { remaining: number } }).cost.remaining);
    expect(remaining[0]).toBe(1_000 - PAGE_OF_50_COST);
    expect(remaining[1]).toBeLessThanOrEqual(1_000 - 2 * PAGE_OF_50_COST + 2);
  });
});
