import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { serverAudits } from 'graphql-http';
import { startTestServer, type TestServer } from '../../utils/test-server';

/**
 * Apollo's CSRF prevention runs a GET only with a non-simple header; Apollo's own clients send
 * `apollo-require-preflight`, and so does this fetch. CSRF prevention itself stays on.
 */
const preflightFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('apollo-require-preflight', 'true');
  return fetch(input, { ...init, headers });
};

describe('GraphQL over HTTP conformance (graphql-http audits)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'development' });
  });
  afterAll(() => server?.close());

  // The URL is known only once the server listens: the audits ask for it when they run.
  const audits = serverAudits({ url: () => server.graphqlUrl, fetchFn: preflightFetch });

  it('should list the audits of graphql-http 1.23', () => {
    expect(audits.length).toBeGreaterThanOrEqual(61);
  });

  for (const audit of audits) {
    it(`should pass ${audit.id}: ${audit.name}`, async () => {
      const result = await audit.fn();
      // MUST (error) and SHOULD (warn) failures fail the test; a MAY left undone (notice) does not.
      const failure = result.status === 'error' || result.status === 'warn' ? `${result.status}: ${result.reason}` : undefined;
      expect(failure).toBeUndefined();
    });
  }
});
