import { openDatabase } from '../../src/infra/db/orm';
import { createLogger } from '../../src/infra/logger';
import { demoCatalogService } from '../../src/modules/catalog/demo-catalog';
import { installServerCipher } from '../lib/personal-data-cost';
import { systemScope } from '../../src/modules/service-scope';
import { systemClock } from '../../src/shared/clock';
import { log } from '../lib/harness';
import type { Scenario } from '../lib/scenario';
import { moduleEntities } from '../../src/modules/index';

/** The size `npm run seed -- --products 100000` loads. */
export const SEED_PRODUCTS = 100_000;
/** "Well under a minute": half of one. */
export const SEED_TARGET_SECONDS = 30;

/**
 * How long `npm run seed -- --products 100000` takes: `demoCatalogService.load` of 100 000 products into an empty,
 * migrated database of the scratch server. Timed alone: the build, the connection and the migrations that
 * the npm script also runs are not part of it (they take a few seconds whatever the size).
 */
export const seedScenario: Scenario = {
  name: 'seed',
  description: `demoCatalogService.load of ${SEED_PRODUCTS} products into an empty database`,
  async run(harness) {
    const url = await harness.createDatabase('atelier_seed');
    await installServerCipher();
    const orm = await openDatabase({ url, entities: moduleEntities, logger: harness.logger });
    try {
      log(`seeding ${SEED_PRODUCTS} products into a database of their own`);
      const started = process.hrtime.bigint();
      const summary = await demoCatalogService.load(systemScope({ orm, clock: systemClock, logger: createLogger('silent') }, 'seed'), { products: SEED_PRODUCTS });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      harness.target({
        name: `seed of ${summary.products} products, ${summary.shops} shops (demoCatalogService.load)`,
        measured: `${seconds.toFixed(1)} s (${Math.round(summary.products / seconds)} products/s)`,
        goal: `≤ ${SEED_TARGET_SECONDS} s, well under a minute`,
        met: seconds <= SEED_TARGET_SECONDS,
      });
    } finally {
      await orm.close();
    }
  },
};
