import { openDatabase } from '../../src/infra/db/orm';
import { demoCatalogService } from '../../src/modules/catalog/demo-catalog';
import { installServerCipher } from '../lib/personal-data-cost';
import { moduleEntities } from '../../src/modules/index';
import { systemScope } from '../../src/modules/service-scope';
import { systemClock } from '../../src/shared/clock';
import { benchToken, contractOperation } from '../lib/contract';
import { log } from '../lib/harness';
import { measureLoad, type GraphqlRequest } from '../lib/load';
import type { Scenario } from '../lib/scenario';
import { mebibytes, readServerMemory } from '../lib/server-memory';

/** Issue 16's memory targets. */
export const MEMORY_TARGETS = {
  /** A server's resident memory after the whole benchmark. */
  residentMiB: 250,
  /** Heap growth from the end of one round of load to the end of the same round again, in the same process. */
  growthMiB: 2,
} as const;

/** Products of this scenario's own catalogue: enough for pages, slugs and search to be real. */
const MEMORY_PRODUCTS = 2_000;
/** Seconds of each load of a round: memory, not speed, is measured. */
const LOAD_SECONDS = 4;

/**
 * Memory: does a server hold on to what its requests used? A server of its own (with the inspector, to collect
 * garbage before each reading) takes the same round of load twice: the storefront's reads anonymous (the response
 * cache) and signed in, `Me`, and a search per request. The heap after the second round must be where it was after
 * the first: what the first round filled (caches, compiled code, pools) is full by then, so growth is a leak. Then
 * the resident memory of this server and of the shared catalogue server (which every other scenario of a full run
 * has loaded) is read: run last, this is the RSS "after the full bench".
 */
export const memoryScenario: Scenario = {
  name: 'memory',
  description: 'heap growth across two identical rounds of load in one server process; resident memory after the bench',
  async run(harness) {
    const server = await harness.extraServer('atelier_memory', {});
    await installServerCipher();
    const orm = await openDatabase({ url: server.databaseUrl, entities: moduleEntities, logger: harness.logger });
    try {
      log(`seeding ${MEMORY_PRODUCTS} products for the memory rounds`);
      await demoCatalogService.load(systemScope({ orm, clock: systemClock, logger: harness.logger }, 'bench-seed'), { products: MEMORY_PRODUCTS });
    } finally {
      await orm.close();
    }
    const signedIn = { authorization: `Bearer ${await benchToken(server.graphqlUrl)}` };
    const catalog = contractOperation('storefront', 'Catalog');
    const round: GraphqlRequest[] = [
      { label: 'Catalog, anonymous', query: catalog, variables: { first: 20 } },
      { label: 'Catalog, signed in', query: catalog, variables: { first: 20 }, headers: signedIn },
      { label: 'Catalog search, signed in', query: catalog, variables: { first: 20, filter: { search: 'linen' } }, headers: signedIn },
      { label: 'Shops, signed in', query: contractOperation('storefront', 'Shops'), variables: { first: 10, productsFirst: 10 }, headers: signedIn },
      { label: 'Me', query: contractOperation('storefront', 'Me'), headers: signedIn },
    ];
    const settings = { ...harness.settings, durationSeconds: Math.min(harness.settings.durationSeconds, LOAD_SECONDS), warmupSeconds: 1 };
    const heapAfter: number[] = [];
    for (const pass of [1, 2]) {
      log(`memory round ${pass}: ${round.length} loads of ${settings.durationSeconds} s`);
      for (const request of round) {
        const result = await measureLoad(server, request, settings);
        if (!result.requests) throw new Error(`memory round ${pass}: ${request.label} got no answer`);
      }
      heapAfter.push((await readServerMemory(server)).heapUsedBytes);
    }
    const growth = heapAfter[1]! - heapAfter[0]!;
    harness.target({
      name: 'server heap after a second identical round of load, against the first (one process)',
      measured: `${mebibytes(heapAfter[0]!)} → ${mebibytes(heapAfter[1]!)} (${growth >= 0 ? '+' : ''}${mebibytes(growth)})`,
      goal: `growth ≤ ${MEMORY_TARGETS.growthMiB} MiB`,
      met: growth <= MEMORY_TARGETS.growthMiB * 1024 * 1024,
    });
    const ownResident = (await readServerMemory(server)).residentBytes;
    const shared = await harness.server();
    const sharedResident = (await readServerMemory(shared)).residentBytes;
    harness.target({
      name: 'server resident memory (RSS) at the end: the shared catalogue server, and this scenario\'s',
      measured: `${mebibytes(sharedResident)} and ${mebibytes(ownResident)}`,
      goal: `< ${MEMORY_TARGETS.residentMiB} MiB each`,
      met: Math.max(sharedResident, ownResident) < MEMORY_TARGETS.residentMiB * 1024 * 1024,
    });
  },
};
