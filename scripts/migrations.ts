/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded default).
 * `npm run migration:create -- [name]`: generates a migration for what the entities changed.
 * `npm run migration:check`: exits 1 when the entities need a migration that is not written (CI).
 *
 * `create` and `check` compare the entities with a scratch database migrated to the latest migration,
 * so that they never depend on the state of anyone's development database.
 */
import 'reflect-metadata';
import { loadConfig } from '../src/config/config';
import { openDatabase, sourceMigrationsPath } from '../src/infra/db/orm';
import { openConfiguredDatabase } from '../src/infra/db/database';
import { createLogger } from '../src/infra/logger';
import { startScratchDatabase } from './lib/scratch-database';
import { moduleEntities } from '../src/modules/index';

async function main(): Promise<void> {
  const [command = 'up', name] = process.argv.slice(2);
  const config = loadConfig();

  if (command === 'up') {
    // At the configured level: the operator (or the compose `migrate` service's log) sees what was applied.
    const logger = createLogger(config.logLevel);
    const db = await openConfiguredDatabase(config, logger, moduleEntities);
    await db.close();
    console.log('migrations applied');
    return;
  }

  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const scratch = await startScratchDatabase(logger);
  try {
    const orm = await openDatabase({ url: scratch.url, entities: moduleEntities, logger });
    try {
      const migrator = orm.getMigrator();
      if (command === 'check') {
        const needed = await migrator.checkMigrationNeeded();
        if (needed) {
          console.error('The entities changed but no migration says so. Run `npm run migration:create -- <name>`.');
          console.error(await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false }));
          process.exitCode = 1;
        } else {
          console.log('migrations are up to date with the entities');
        }
      } else if (command === 'create') {
        const result = await migrator.createMigration(sourceMigrationsPath, false, false, name);
        console.log(result.fileName ? `created migrations/${result.fileName}` : 'no changes: no migration created');
      } else {
        throw new Error(`unknown command "${command}": use up, create or check`);
      }
    } finally {
      await orm.close();
    }
  } finally {
    await scratch.stop();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
