import { contractOperation } from '../lib/contract';
import type { Scenario } from '../lib/scenario';

/** The catalogue must keep at least this share of the throughput of `{ __typename }` (the stack's ceiling). */
export const CATALOG_THROUGHPUT_TARGET = 0.5;

/**
 * The storefront's reads, as the contract writes them, against the bare stack: `{ __typename }` costs HTTP,
 * Apollo and GraphQL execution and nothing else, so the share of its throughput that `Catalog` keeps is what
 * our resolvers, loaders, permissions and SQL cost.
 */
export const catalogScenario: Scenario = {
  name: 'catalog',
  description: 'Catalog(first: 20) and Shops(first: 10, productsFirst: 10) against { __typename }',
  async run(harness) {
    const baseline = await harness.baseline();
    const catalog = await harness.measure({
      label: 'Catalog(first: 20)',
      query: contractOperation('storefront', 'Catalog'),
      variables: { first: 20 },
    });
    await harness.measure({
      label: 'Shops(first: 10, productsFirst: 10)',
      query: contractOperation('storefront', 'Shops'),
      variables: { first: 10, productsFirst: 10 },
    });
    const share = catalog.requestsPerSecond / baseline.requestsPerSecond;
    harness.target({
      name: 'Catalog(first: 20) throughput vs { __typename }',
      measured: `${(share * 100).toFixed(0)} % (${catalog.requestsPerSecond.toFixed(0)} vs ${baseline.requestsPerSecond.toFixed(0)} req/s)`,
      goal: `≥ ${CATALOG_THROUGHPUT_TARGET * 100} %`,
      met: share >= CATALOG_THROUGHPUT_TARGET,
    });
  },
};
