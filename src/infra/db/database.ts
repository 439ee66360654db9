import type { EntityClass } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/config';
import type { Logger } from '../logger';
import { configuredKeyProvider } from '../encryption/key-provider';
import { installPersonalDataCipher, usePersonalDataCipher, type PersonalDataCipher } from '../encryption/personal-data';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { openDatabase } from './orm';

/** The database of this process: the ORM, migrated, and the embedded PostgreSQL behind it when there is one. */
export interface Database {
  orm: MikroORM;
  url: string;
  /** Closes the pool, then stops the embedded PostgreSQL if this process started one. */
  close(): Promise<void>;
}

/**
 * Opens DATABASE_URL, or with none starts the embedded PostgreSQL under EMBEDDED_PG_DIR; then migrates.
 * With DATABASE_URL set it never starts an embedded server. `entities`: every module's (`moduleEntities`, given from
 * above: the infrastructure imports no module). Loads the key ring of personal data first. `use`: `api` (default) bounds every wait with the API's
 * timeouts (DATABASE_ACQUIRE_TIMEOUT_MS, DATABASE_STATEMENT_TIMEOUT_MS, DATABASE_LOCK_TIMEOUT_MS); `jobs` (the
 * standalone worker, scripts) with DATABASE_JOB_STATEMENT_TIMEOUT_MS. `personalDataCipher` replaces the key ring's
 * cipher: only the benchmark gives one (default: the configured key ring, always).
 */
export async function openConfiguredDatabase(
  config: Config,
  logger: Logger,
  entities: readonly EntityClass<object>[],
  use: 'api' | 'jobs' = 'api',
  options: { personalDataCipher?: PersonalDataCipher } = {},
): Promise<Database> {
  // Before the migrations, which seal rows written before encryption, and before any entity is read.
  if (options.personalDataCipher) usePersonalDataCipher(options.personalDataCipher, logger);
  else await installPersonalDataCipher(configuredKeyProvider(config, logger), logger);
  let embedded: EmbeddedDatabase | undefined;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.embeddedPostgres.dataDir,
      port: config.embeddedPostgres.port,
      database: 'atelier',
      logger,
    });
    url = embedded.url;
  }
  try {
    const { acquireMs, statementMs, lockMs, jobStatementMs } = config.databaseTimeouts;
    const timeouts = use === 'api' ? { acquireMs, statementMs, lockMs } : { acquireMs, statementMs: jobStatementMs, lockMs: jobStatementMs };
    const orm = await openDatabase({ url, entities, poolSize: config.databasePoolSize, logger, timeouts, migrationStatementMs: jobStatementMs });
    return {
      orm,
      url,
      close: async () => {
        await orm.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
