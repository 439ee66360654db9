import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDemoCatalog } from '../../fixtures/catalog';
import { postGraphql } from '../../utils/clients';
import { startTestServer, type TestServer } from '../../utils/test-server';

/**
 * Fields whose rule is `allow` run without shield's middleware (a performance measure, see
 * src/graphql/permissions.ts): these tests pin down that every other field is still guarded.
 */
describe('graphql-shield permissions', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    await seedDemoCatalog(server.database.orm, { products: 10 });
  });
  afterAll(() => server?.close());

  it('should answer the fields opened to everyone', async () => {
    const { body } = await postGraphql(server.graphqlUrl, { query: '{ shops(first: 1) { edges { node { name owner { id displayName } } } } }' });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ shops: { edges: [{ node: { name: expect.any(String), owner: { id: expect.any(String), displayName: expect.any(String) } } }] } });
  });

  it('should refuse with FORBIDDEN a field that no rule opens, next to opened ones', async () => {
    const { body } = await postGraphql(server.graphqlUrl, { query: '{ shops(first: 1) { edges { node { owner { id email } } } } }' });
    expect(body.errors).toEqual([expect.objectContaining({ path: ['shops', 'edges', 0, 'node', 'owner', 'email'], extensions: { code: 'FORBIDDEN' } })]);
    expect(JSON.stringify(body.data)).not.toContain('@demo.atelier.test');
  });
});
