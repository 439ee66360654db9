import { contractOperation } from '../lib/contract';
import type { Scenario } from '../lib/scenario';

/** `Me` must keep at least this share of the throughput of anonymous `{ __typename }`. */
export const ME_THROUGHPUT_TARGET = 0.6;

/**
 * The per-request re-check of the caller: `Me` with a valid access token verifies the JWT and reads the user's
 * role and status and the session through the viewer cache (one statement over two primary keys when cold, no
 * statement when warm: only the user's generation is checked), and `me` and `shop` are answered from that
 * same row. Measured beside anonymous `{ __typename }` in the same run.
 */
export const authScenario: Scenario = {
  name: 'auth',
  description: 'Me with a valid access token against anonymous { __typename }',
  async run(harness) {
    const server = await harness.server();
    const signUp = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: contractOperation('storefront', 'SignUp'),
        variables: { input: { email: `bench-${Date.now()}@example.test`, password: 'bench-password-123', displayName: 'Bench' } },
      }),
    });
    const body = (await signUp.json()) as { data?: { signUp?: { accessToken: string } }; errors?: unknown };
    const token = body.data?.signUp?.accessToken;
    if (!token) throw new Error(`sign-up for the benchmark failed: ${JSON.stringify(body.errors)}`);

    const baseline = await harness.baseline();
    const me = await harness.measure({
      label: 'Me (valid access token)',
      query: contractOperation('storefront', 'Me'),
      headers: { authorization: `Bearer ${token}` },
    });
    const share = me.requestsPerSecond / baseline.requestsPerSecond;
    harness.target({
      name: 'Me throughput vs anonymous { __typename }',
      measured: `${(share * 100).toFixed(0)} % (${me.requestsPerSecond.toFixed(0)} vs ${baseline.requestsPerSecond.toFixed(0)} req/s)`,
      goal: `≥ ${ME_THROUGHPUT_TARGET * 100} %`,
      met: share >= ME_THROUGHPUT_TARGET,
    });
    harness.target({
      name: 'Me: SQL statements of one request (the re-check is one of them)',
      measured: `${me.statementsOneRequest}`,
      goal: 'at most 1: the re-check (cold), which `me` and `shop` reuse',
      met: me.statementsOneRequest <= 1,
    });
  },
};
