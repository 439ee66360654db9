import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { CatalogDocument, CategoriesDocument } from '../../generated/graphql';
import { apolloClient, postGraphql, wsClient, wsExecute } from '../../utils/clients';
import { startTestServer, type TestServer } from '../../utils/test-server';

async function get(url: string): Promise<{ status: number; contentType: string; text: string }> {
  const response = await fetch(url);
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
}

describe('probes and metrics', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('should answer /healthz with 200', async () => {
    const health = await get(`${server.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: 'ok' });
  });

  it('should answer /readyz with 200 while PostgreSQL answers', async () => {
    const ready = await get(`${server.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'ready', checks: { postgres: 'ok' } });
  });

  it('should serve Prometheus text on /metrics, with the operations counted by name, transport and outcome', async () => {
    await apolloClient(server.graphqlUrl).query({ query: CategoriesDocument });
    await postGraphql(server.graphqlUrl, { query: '{ nothingHere }' });
    const client = wsClient(server.wsUrl);
    try {
      await wsExecute(client, CategoriesDocument);
      await wsExecute(client, CatalogDocument, { first: 1_000 });
    } finally {
      await client.dispose();
    }

    const metrics = await get(`${server.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.text).toContain('# TYPE atelier_http_request_duration_seconds histogram');
    expect(metrics.text).toContain('# TYPE atelier_graphql_operations_total counter');
    expect(metrics.text).toMatch(/^atelier_graphql_operations_total\{operation="Categories",transport="http",outcome="ok"\} 1$/m);
    expect(metrics.text).toMatch(/^atelier_graphql_operations_total\{operation="anonymous",transport="http",outcome="GRAPHQL_VALIDATION_FAILED"\} 1$/m);
    // graphql-ws sends no operation name unless told: the server takes it from the document, as on HTTP.
    expect(metrics.text).toMatch(/^atelier_graphql_operations_total\{operation="Categories",transport="ws",outcome="ok"\} 1$/m);
    expect(metrics.text).toMatch(/^atelier_graphql_operations_total\{operation="Catalog",transport="ws",outcome="BAD_USER_INPUT"\} 1$/m);
    expect(metrics.text).toMatch(/^atelier_http_request_duration_seconds_count\{route="\/graphql",method="POST",status="200"\} [1-9]/m);
    // Process metrics too (prom-client's defaults).
    expect(metrics.text).toContain('process_cpu_seconds_total');
  });
});

describe('readiness without the database', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production' });
  });
  afterAll(() => server?.close());

  it('should answer /readyz with 503 once the database pool is closed, and /healthz still with 200', async () => {
    expect((await get(`${server.baseUrl}/readyz`)).status).toBe(200);
    await server.database.orm.close(true);

    const ready = await get(`${server.baseUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({ status: 'unavailable', checks: { postgres: 'unavailable' } });
    expect((await get(`${server.baseUrl}/healthz`)).status).toBe(200);
  });

  it('should answer GraphQL with a masked INTERNAL_SERVER_ERROR while the database is gone', async () => {
    const { body } = await postGraphql(server.graphqlUrl, { query: print(CategoriesDocument) });
    expect(body.errors?.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
      { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ]);
  });
});
