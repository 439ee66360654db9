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
import { catalogIsEmpty, loadDemoCatalog } from '../src/modules/catalog/demo-catalog';
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
    const em = database.orm.em.fork();
    if (values.reset) {
      await runSql(em, `truncate product, shop, category restart identity cascade; delete from app_user where email like '%@demo.atelier.test'`);
    } else if (!(await catalogIsEmpty(em))) {
      throw new Error('The catalogue already has products: pass --reset to replace it.');
    }
    const started = Date.now();
    const summary = await loadDemoCatalog(em, { products, seed });
    console.log(`seeded ${summary.products} products, ${summary.shops} shops, ${summary.categories} categories in ${Date.now() - started} ms`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
