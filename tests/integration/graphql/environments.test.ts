import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse, print, type ExecutionResult } from 'graphql';
import { Client } from 'pg';
import { seedDemoCatalog } from '../../fixtures/catalog';
import { CatalogDocument, CategoriesDocument, ShopsDocument } from '../../generated/graphql';
import { apolloClient, postGraphql, wsClient, wsExecute } from '../../utils/clients';
import { expectContractErrors } from '../../utils/contract-errors';
import { codesOf } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

const SCHEMA_INTROSPECTION = '{ __schema { queryType { name } types { name } } }';
const TYPE_INTROSPECTION = '{ __type(name: "Product") { name fields { name } } }';

/** Runs `query` over HTTP and over WebSocket; the two results, in that order. */
async function bothWays(server: TestServer, query: string, variables?: Record<string, unknown>): Promise<ExecutionResult<unknown>[]> {
  const http = (await postGraphql(server.graphqlUrl, { query, variables })).body;
  const client = wsClient(server.wsUrl);
  try {
    return [http, await wsExecute(client, parse(query) as TypedDocumentNode<unknown, Record<string, unknown>>, variables)];
  } finally {
    await client.dispose();
  }
}

/**
 * Makes the database fail every statement on `category` (the table is renamed) while `work` runs: an unexpected
 * error whose raw message would carry SQL, with no test-only code in the server.
 */
async function withCategoryTableGone<T>(server: TestServer, work: () => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: server.database.url });
  await db.connect();
  try {
    await db.query('alter table category rename to category_gone');
    try {
      return await work();
    } finally {
      await db.query('alter table category_gone rename to category');
    }
  } finally {
    await db.end();
  }
}

describe('in production', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production' });
    await seedDemoCatalog(server.database.orm, { products: 30 });
  });
  afterAll(() => server?.close());

  it.each([
    ['__schema', SCHEMA_INTROSPECTION],
    ['__type', TYPE_INTROSPECTION],
  ])('should refuse %s introspection over HTTP and WebSocket', async (_what, query) => {
    for (const result of await bothWays(server, query)) {
      expectContractErrors(result.errors);
      // graphql-js reports each introspection field (`__schema`, then `queryType`, `types`): all the same code.
      expect(new Set(codesOf(result))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
      expect(result.data).toBeUndefined();
    }
  });

  it('should still answer __typename, which Apollo Client adds to every selection', async () => {
    const { data, error } = await apolloClient(server.graphqlUrl).query({ query: CatalogDocument, variables: { first: 2 } });
    expect(error).toBeUndefined();
    expect(data!.products.edges[0]!.node.__typename).toBe('Product');
  });

  it('should mask an unexpected error as "Internal server error", with no stack or SQL, over HTTP and WebSocket', async () => {
    const results = await withCategoryTableGone(server, async () => {
      const http = await postGraphql(server.graphqlUrl, { query: print(CategoriesDocument) });
      expect(http.status).toBe(200);
      return bothWays(server, print(CategoriesDocument));
    });
    for (const result of results) {
      expect(result.errors).toEqual([
        { message: 'Internal server error', locations: [{ line: 2, column: 3 }], path: ['categories'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      ]);
      expect(JSON.stringify(result)).not.toMatch(/category_gone|select|relation|stack|\.ts:|node_modules/i);
    }
  });

  it("should mask an unexpected error in a nested field, at that field's path", async () => {
    // The shops' page reads no category; each shop's products do (their categories are joined in).
    const [http] = await withCategoryTableGone(server, () => bothWays(server, print(ShopsDocument), { first: 2, productsFirst: 2 }));
    // Every field up to the root is non-null, so the null climbs all the way up.
    expect(http!.data).toBeNull();
    expect(http!.errors?.length).toBeGreaterThan(0);
    for (const error of http!.errors ?? []) {
      expect(error).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(error.path).toEqual(['shops', 'edges', expect.any(Number), 'node', 'products']);
    }
  });

  it('should work again once the database is whole', async () => {
    const [http, ws] = await bothWays(server, print(CategoriesDocument));
    expect(http!.errors).toBeUndefined();
    expect(ws!.errors).toBeUndefined();
  });
});

describe('in development', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'development' });
  });
  afterAll(() => server?.close());

  it.each([
    ['__schema', SCHEMA_INTROSPECTION],
    ['__type', TYPE_INTROSPECTION],
  ])('should answer %s introspection over HTTP and WebSocket', async (_what, query) => {
    for (const result of await bothWays(server, query)) {
      expect(result.errors).toBeUndefined();
      expect(JSON.stringify(result.data)).toContain('Product');
    }
  });

  it('should say what went wrong in an unexpected error, still without a stack trace', async () => {
    const [http, ws] = await withCategoryTableGone(server, () => bothWays(server, print(CategoriesDocument)));
    for (const result of [http!, ws!]) {
      expect(result.errors).toHaveLength(1);
      expect(result.errors![0]!.message).toMatch(/^Internal server error: .*category/);
      expect(result.errors![0]!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    }
  });
});
