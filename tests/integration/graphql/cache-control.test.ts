import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postGraphql } from '../../utils/clients';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('HTTP caching of GraphQL responses', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('should tell every cache not to store a successful answer', async () => {
    const response = await postGraphql(server.graphqlUrl, { query: '{ categories { id } }' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('should tell every cache not to store an error either', async () => {
    const response = await postGraphql(server.graphqlUrl, { query: '{ shops(first: 101) { edges { cursor } } }' });
    expect(response.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
