import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { LiveStockDocument } from '../generated/graphql';
import { signUp } from '../utils/accounts';
import { postGraphql } from '../utils/clients';
import { recordingLogger } from '../utils/logs';
import { startTestServer, TEST_METRICS_TOKEN, type TestServer } from '../utils/test-server';
import { waitFor } from '../utils/wait';
import { executeOnRawSocket, openRawSocket } from './raw-socket';

const PAGE = 'query Page { products(first: 50) { edges { node { id } } } }';
const remainingOf = (body: { extensions?: unknown }) => (body.extensions as { cost: { remaining: number } }).cost.remaining;

describe('WebSocket caps', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      NODE_ENV: 'production',
      WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '2',
      WS_MAX_SOCKETS_PER_ADDRESS: '3',
      WS_MAX_SOCKETS_PER_USER: '2',
      WS_MAX_MESSAGES_PER_SECOND: '10',
    });
  });
  afterAll(() => server?.close());

  it('should refuse a subscription beyond the per-socket cap with RATE_LIMITED, keeping the others', async () => {
    const socket = await openRawSocket(server.wsUrl, { 'x-forwarded-for': '198.51.100.1' });
    await socket.init();
    const query = print(LiveStockDocument);
    for (const id of ['1', '2', '3']) socket.send({ id, type: 'subscribe', payload: { query, variables: { productIds: ['01939a3e-0000-7000-8000-000000000001'] } } });
    const refused = await socket.next((message) => message.id === '3' && message.type === 'error');
    expect(refused.payload).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED', retryAfterSeconds: 1 }) })]);
    expect(socket.messages.filter((message) => message.type === 'error' && message.id !== '3')).toEqual([]);
    socket.close();
  });

  it('should close sockets beyond the per-address cap with 4429', async () => {
    const sockets = [];
    for (let i = 0; i < 3; i += 1) sockets.push(await openRawSocket(server.wsUrl, { 'x-forwarded-for': '198.51.100.2' }));
    const fourth = await openRawSocket(server.wsUrl, { 'x-forwarded-for': '198.51.100.2' });
    expect(await fourth.closed).toBe(4429);
    const elsewhere = await openRawSocket(server.wsUrl, { 'x-forwarded-for': '198.51.100.3' });
    await elsewhere.init();
    // A socket closed gives its place back.
    sockets[0]!.close();
    await sockets[0]!.closed;
    const again = await openRawSocket(server.wsUrl, { 'x-forwarded-for': '198.51.100.2' });
    await again.init();
    for (const socket of [...sockets, elsewhere, again]) socket.close();
  });

  it('should close sockets beyond the per-user cap with 4429, from any address', async () => {
    const user = await signUp(server);
    const authorization = `Bearer ${user.token}`;
    const open = [];
    for (let i = 0; i < 2; i += 1) {
      const socket = await openRawSocket(server.wsUrl, { 'x-forwarded-for': `198.51.100.${10 + i}` });
      await socket.init({ authorization });
      open.push(socket);
    }
    const third = await openRawSocket(server.wsUrl, { 'x-forwarded-for': '198.51.100.12' });
    third.send({ type: 'connection_init', payload: { authorization } });
    expect(await third.closed).toBe(4429);
    for (const socket of open) socket.close();
  });

  it('should close a socket that sends more messages per second than allowed with 4429', async () => {
    const socket = await openRawSocket(server.wsUrl, { 'x-forwarded-for': '198.51.100.20' });
    await socket.init();
    for (let i = 0; i < 30; i += 1) socket.send({ type: 'ping' });
    expect(await socket.closed).toBe(4429);
  });
});

describe("the WebSocket path's parsed-document cache", () => {
  it('should hold no more bytes than WS_DOCUMENT_CACHE_BYTES, however many distinct large texts arrive', async () => {
    const server = await startTestServer({ NODE_ENV: 'production', WS_DOCUMENT_CACHE_BYTES: '200000' });
    try {
      // 30 distinct texts of 4,000 characters weigh 32 kB each in the cache: 960 kB without the bound.
      const socket = await openRawSocket(server.wsUrl);
      await socket.init();
      for (let i = 0; i < 30; i += 1) {
        const query = `{ product(slug: "${String(i).padStart(4, '0')}${'x'.repeat(3_960)}") { id } }`;
        socket.send({ id: String(i), type: 'subscribe', payload: { query } });
        await socket.next((message) => message.id === String(i) && (message.type === 'complete' || message.type === 'error'));
      }
      socket.close();
      const metrics = await (await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } })).text();
      const held = Number(/^atelier_websocket_document_cache_bytes (\d+)$/m.exec(metrics)?.[1]);
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThanOrEqual(200_000);
    } finally {
      await server.close();
    }
  });
});

describe('TRUST_PROXY decides the client address for HTTP and WebSocket alike', () => {
  const budgetEnv = { NODE_ENV: 'production', QUERY_BUDGET_POINTS: '10000', QUERY_BUDGET_RESTORE_PER_SECOND: '1', CATALOG_CACHE_TTL_SECONDS: '0' };

  async function wsRemaining(server: TestServer, headers: Record<string, string>): Promise<number> {
    const socket = await openRawSocket(server.wsUrl, headers);
    await socket.init();
    socket.send({ id: '1', type: 'subscribe', payload: { query: PAGE } });
    const next = await socket.next((message) => message.type === 'next');
    socket.close();
    return remainingOf(next.payload as { extensions?: unknown });
  }

  it('should take X-Forwarded-For from a trusted proxy on both transports, in budgets and in the socket logs', async () => {
    const log = recordingLogger();
    const server = await startTestServer({ ...budgetEnv, TRUST_PROXY: 'loopback' }, undefined, { logger: log.logger });
    try {
      const http = await postGraphql(server.graphqlUrl, { query: PAGE }, { 'x-forwarded-for': '203.0.113.5' });
      const ws = await wsRemaining(server, { 'x-forwarded-for': '203.0.113.5' });
      // One budget: the second operation sees the first one's charge.
      expect(ws).toBeLessThanOrEqual(remainingOf(http.body) - 101 + 2);
      const other = await wsRemaining(server, { 'x-forwarded-for': '203.0.113.6' });
      expect(other).toBeGreaterThanOrEqual(10_000 - 101);
      await waitFor(() => log.lines.filter((line) => line.msg === 'websocket closed').length >= 2, 5_000, 'both closes logged');
      const socketLines = log.lines.filter((line) => line.msg === 'websocket connected' || line.msg === 'websocket closed');
      expect(socketLines.map((line) => line.clientAddress).sort()).toEqual(['203.0.113.5', '203.0.113.5', '203.0.113.6', '203.0.113.6']);
    } finally {
      await server.close();
    }
  });

  it('should ignore X-Forwarded-For when no proxy is trusted, on both transports', async () => {
    const server = await startTestServer({ ...budgetEnv, TRUST_PROXY: 'false' });
    try {
      const http = await postGraphql(server.graphqlUrl, { query: PAGE }, { 'x-forwarded-for': '203.0.113.7' });
      const ws = await wsRemaining(server, { 'x-forwarded-for': '203.0.113.8' });
      expect(ws).toBeLessThanOrEqual(remainingOf(http.body) - 101 + 2);
    } finally {
      await server.close();
    }
  });
});

describe('production hides the schema, guards /metrics and sends security headers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production', HSTS_MAX_AGE_SECONDS: '31536000' });
  });
  afterAll(() => server?.close());

  it('should never suggest fields, types or enum values, over HTTP and WebSocket', async () => {
    const queries = [
      { query: '{ productz(first: 1) { totalCount } }' },
      { query: '{ products(first: 1) { edges { node { titel } } } }' },
      { query: 'query Q($r: Rol) { __typename }' },
      { query: 'mutation S($i: SignUpInput!) { signUp(input: $i) { accessToken } }', variables: { i: { email: 'a@b.test', password: 'long enough password', displayName: 'x', role: 'BUYR' } } },
    ];
    for (const body of queries) {
      const http = await postGraphql(server.graphqlUrl, body);
      expect(http.body.errors?.length).toBeGreaterThan(0);
      for (const error of http.body.errors!) expect(error.message).not.toMatch(/Did you mean/);
      const socket = await openRawSocket(server.wsUrl);
      await socket.init();
      socket.send({ id: '1', type: 'subscribe', payload: body });
      const answer = await socket.next((message) => message.id === '1' && (message.type === 'error' || message.type === 'next'));
      expect(JSON.stringify(answer.payload)).not.toMatch(/Did you mean/);
      expect(JSON.stringify(answer.payload)).toMatch(/"code"/);
      socket.close();
    }
  });

  it('should answer /metrics only with its bearer token, and label unknown operation names `other`', async () => {
    expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status).toBe(401);
    const hugeName = `Op${'x'.repeat(20_000)}`;
    await postGraphql(server.graphqlUrl, { query: `query ${hugeName} { __typename }`, operationName: hugeName });
    const overWs = await executeOnRawSocket(server.wsUrl, {}, { query: `query ${hugeName} { __typename }`, operationName: hugeName });
    expect(overWs.errors).toBeUndefined();
    const metrics = await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).not.toContain('xxxxxxxxxx');
    expect(text).toMatch(/atelier_graphql_operations_total\{operation="other",transport="http",outcome="ok"\} 1/);
    expect(text).toMatch(/atelier_graphql_operations_total\{operation="other",transport="ws",outcome="ok"\} 1/);
  });

  it('should send the security headers on every answer', async () => {
    for (const response of [await fetch(`${server.baseUrl}/healthz`), (await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }))]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    }
  });

  it('should allow only the configured origins, expose its headers to them and cache preflights', async () => {
    const preflight = await fetch(server.graphqlUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(Number(preflight.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    const answer = await fetch(server.graphqlUrl, { method: 'POST', headers: { origin: 'https://shop.example', 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    const exposed = (answer.headers.get('access-control-expose-headers') ?? '').toLowerCase().split(',');
    expect(exposed).toEqual(expect.arrayContaining(['x-request-id', 'x-cache', 'ratelimit', 'ratelimit-policy', 'retry-after']));
    const stranger = await fetch(server.graphqlUrl, { method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('/metrics on its own port', () => {
  it('should serve /metrics on METRICS_PORT and not on the API port', async () => {
    const server = await startTestServer({ METRICS_PORT: '0' });
    try {
      const address = server.app.metricsServer!.address() as { port: number };
      expect((await fetch(`http://127.0.0.1:${address.port}/metrics`)).status).toBe(200);
      expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});

describe('the development landing page', () => {
  it('should keep Apollo Sandbox working: no CSP script restriction outside production, frames still refused', async () => {
    const server = await startTestServer({ NODE_ENV: 'development' });
    try {
      const page = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/default-src|script-src/);
    } finally {
      await server.close();
    }
  });
});
