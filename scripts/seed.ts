/**
 * `npm run seed -- --products N [--seed S] [--reset]`: loads the deterministic demo catalogue into
 * DATABASE_URL (or the embedded default). Refuses a catalogue that already has products unless --reset,
 * which empties the catalogue first.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config';
import { openConfiguredDatabase } from '../src/infra/db/database';
import { createLogger } from '../src/infra/logger';
import { runSql } from '../src/shared/sql';
import { demoCatalogService } from '../src/modules/catalog/demo-catalog';
import { systemScope } from '../src/modules/service-scope';
import { systemClock } from '../src/shared/clock';
import { moduleEntities } from '../src/modules/index';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { products: { type: 'string', default: '500' }, seed: { type: 'string', default: '1' }, reset: { type: 'boolean', default: false } },
  });
  const products = Number(values.products);
  const seed = Number(values.seed);
  if (!Number.isInteger(products) || products < 0 || products > 10_000_000) throw new Error('--products must be a whole number from 0 to 10000000');
  if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');

  const config = loadConfig();
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openConfiguredDatabase(config, logger, moduleEntities, 'jobs');
  try {
    const scope = systemScope({ orm: database.orm, clock: systemClock, logger }, 'seed');
    if (values.reset) {
      await runSql(scope.em, `truncate product, shop, category restart identity cascade; delete from app_user where email like '%@demo.atelier.test'`);
    } else if (!(await demoCatalogService.isEmpty(scope))) {
      throw new Error('The catalogue already has products: pass --reset to replace it.');
    }
    const started = Date.now();
    const summary = await demoCatalogService.load(scope, { products, seed });
    console.log(`seeded ${summary.products} products, ${summary.shops} shops, ${summary.categories} categories in ${Date.now() - started} ms`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
