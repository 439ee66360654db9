import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDemoCatalog } from '../../fixtures/catalog';
import { CatalogDocument } from '../../generated/graphql';
import { apolloClient, wsClient, wsExecute } from '../../utils/clients';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('the catalogue over HTTP and WebSocket', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    await seedDemoCatalog(server.database.orm, { products: 120 });
  });
  afterAll(() => server?.close());

  it('should answer Catalog through Apollo Client', async () => {
    const { data, error } = await apolloClient(server.graphqlUrl).query({ query: CatalogDocument, variables: { first: 5 } });
    expect(error).toBeUndefined();
    expect(data?.products.totalCount).toBe(120);
    expect(data?.products.edges).toHaveLength(5);
  });

  it('should answer Catalog over graphql-ws', async () => {
    const client = wsClient(server.wsUrl);
    try {
      const result = await wsExecute(client, CatalogDocument, { first: 3 });
      expect(result.errors).toBeUndefined();
      expect(result.data?.products.edges).toHaveLength(3);
    } finally {
      await client.dispose();
    }
  });
});
