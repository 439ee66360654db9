import { benchToken, contractOperation } from '../lib/contract';
import type { LoadResult } from '../lib/load';
import type { Scenario } from '../lib/scenario';

/** Issue 16's targets, each a ratio to a baseline measured in the same run. */
export const EXECUTED_READ_TARGETS = {
  /** Signed-in `Catalog(first: 20)` against the hand-written node:http + pg server answering the same shape. */
  catalogVsRaw: 0.6,
  /** Signed-in `Shops(first: 10, productsFirst: 10)` against the same raw server's equivalent. */
  shopsVsRaw: 0.5,
  /** Signed-in `ProductBySlug` against signed-in `{ __typename }`. */
  productVsTypename: 0.7,
  /** Server CPU per executed `Catalog(first: 20)`, in ms. */
  catalogCpuMs: 2,
} as const;

const CATALOG_VARIABLES = { first: 20 };
const SHOPS_VARIABLES = { first: 10, productsFirst: 10 };

/**
 * The storefront's reads, as the contract writes them. Anonymous `Catalog` is answered by the public response
 * cache; with an access token nothing is cached, so the signed-in rows measure execution itself: resolvers,
 * loaders, permissions, SQL. They are held against two baselines of the same run: a hand-written node:http + pg
 * server answering the same shapes with one statement each (`bench/lib/raw-catalog-server.ts`), and
 * `{ __typename }` with the same token (HTTP, Apollo and the caller's re-check, nothing else).
 */
export const catalogScenario: Scenario = {
  name: 'catalog',
  description: 'Catalog, Shops and ProductBySlug, anonymous and signed in, against a raw node:http + pg server and { __typename }',
  async run(harness) {
    const server = await harness.server();
    const raw = await harness.rawCatalogServer();
    const authorization = `Bearer ${await benchToken(server.graphqlUrl)}`;
    const signedIn = { authorization };
    const catalogQuery = contractOperation('storefront', 'Catalog');
    const shopsQuery = contractOperation('storefront', 'Shops');
    const slug = await firstProductSlug(server.graphqlUrl, catalogQuery);

    await harness.baseline();
    await harness.measure({ label: 'Catalog(first: 20), anonymous (response cache)', query: catalogQuery, variables: CATALOG_VARIABLES });
    const rawCatalog = await harness.measure({ label: 'raw node:http + pg: Catalog(first: 20)', query: catalogQuery, variables: CATALOG_VARIABLES }, raw);
    const catalog = await harness.measure({ label: 'Catalog(first: 20), signed in', query: catalogQuery, variables: CATALOG_VARIABLES, headers: signedIn });
    const rawShops = await harness.measure({ label: 'raw node:http + pg: Shops(first: 10, productsFirst: 10)', query: shopsQuery, variables: SHOPS_VARIABLES }, raw);
    const shops = await harness.measure({ label: 'Shops(first: 10, productsFirst: 10), signed in', query: shopsQuery, variables: SHOPS_VARIABLES, headers: signedIn });
    const typename = await harness.measure({ label: '{ __typename }, signed in', query: '{ __typename }', headers: signedIn });
    const product = await harness.measure({ label: 'ProductBySlug, signed in', query: contractOperation('storefront', 'ProductBySlug'), variables: { slug }, headers: signedIn });

    ratioTarget(harness, 'signed-in Catalog(first: 20) vs the raw server', catalog, rawCatalog, EXECUTED_READ_TARGETS.catalogVsRaw);
    ratioTarget(harness, 'signed-in Shops(first: 10, productsFirst: 10) vs the raw server', shops, rawShops, EXECUTED_READ_TARGETS.shopsVsRaw);
    ratioTarget(harness, 'signed-in ProductBySlug vs signed-in { __typename }', product, typename, EXECUTED_READ_TARGETS.productVsTypename);
    const cpu = catalog.serverCpuMsPerRequest;
    harness.target({
      name: 'server CPU per executed Catalog(first: 20)',
      measured: cpu === undefined ? 'unknown (no /proc)' : `${cpu.toFixed(2)} ms (raw server: ${rawCatalog.serverCpuMsPerRequest?.toFixed(2)} ms)`,
      goal: `≤ ${EXECUTED_READ_TARGETS.catalogCpuMs} ms`,
      met: cpu !== undefined && cpu <= EXECUTED_READ_TARGETS.catalogCpuMs,
    });
  },
};

function ratioTarget(harness: Parameters<Scenario['run']>[0], name: string, measured: LoadResult, baseline: LoadResult, goal: number): void {
  const share = measured.requestsPerSecond / baseline.requestsPerSecond;
  harness.target({
    name,
    measured: `${(share * 100).toFixed(0)} % (${measured.requestsPerSecond.toFixed(0)} vs ${baseline.requestsPerSecond.toFixed(0)} req/s)`,
    goal: `≥ ${goal * 100} %`,
    met: share >= goal,
  });
}

/** The slug of the newest product: what `ProductBySlug` asks for. */
async function firstProductSlug(graphqlUrl: string, catalogQuery: string): Promise<string> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: catalogQuery, variables: { first: 1 } }),
  });
  const body = (await response.json()) as { data?: { products: { edges: Array<{ node: { slug: string } }> } } };
  const slug = body.data?.products.edges[0]?.node.slug;
  if (!slug) throw new Error('the catalogue has no product to ask for by slug');
  return slug;
}
