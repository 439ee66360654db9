import { benchToken, contractOperation } from '../lib/contract';
import type { BenchHarness } from '../lib/harness';
import { measureLoad, type LoadResult } from '../lib/load';
import type { Scenario } from '../lib/scenario';

/** `Me` must keep at least this share of the throughput of anonymous `{ __typename }`. */
export const ME_THROUGHPUT_TARGET = 0.6;

/** Charging every operation to its client's query budget may cost at most this share of `Me`'s throughput. */
export const BUDGET_COST_TARGET = 0.1;

/**
 * `Me` on two servers alike but for the query budget: on (every operation's cost computed and charged to the user's
 * bucket, in memory; limits too large to refuse the load) and off (`QUERY_BUDGET_POINTS=0`; costs still computed).
 */
async function measureBudget(harness: BenchHarness): Promise<void> {
  const results: Record<'on' | 'off', LoadResult> = {} as never;
  for (const mode of ['on', 'off'] as const) {
    const server = await harness.extraServer(`auth_budget_${mode}`, mode === 'off' ? { QUERY_BUDGET_POINTS: '0' } : {});
    const token = await benchToken(server.graphqlUrl);
    const result = await measureLoad(
      server,
      { label: `Me, query budget ${mode}`, query: contractOperation('storefront', 'Me'), headers: { authorization: `Bearer ${token}` } },
      harness.settings,
    );
    harness.record(result);
    results[mode] = result;
  }
  const loss = 1 - results.on.requestsPerSecond / results.off.requestsPerSecond;
  // Server CPU per request beside the throughput: on a shared machine it moves less than req/s between two runs.
  const cpu = (result: LoadResult) => result.serverCpuMsPerRequest?.toFixed(2) ?? '?';
  harness.target({
    name: 'Me throughput lost to the query budget (on vs off)',
    measured:
      `${(loss * 100).toFixed(1)} % (${results.on.requestsPerSecond.toFixed(0)} vs ${results.off.requestsPerSecond.toFixed(0)} req/s; ` +
      `server CPU ${cpu(results.on)} vs ${cpu(results.off)} ms/request)`,
    goal: `≤ ${BUDGET_COST_TARGET * 100} %`,
    met: loss <= BUDGET_COST_TARGET,
  });
}

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
    const token = await benchToken(server.graphqlUrl);

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
    await measureBudget(harness);
  },
};
