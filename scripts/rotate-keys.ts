/**
 * `npm run rotate-keys [-- --batch-size N] [--after <order id>]`: re-seals every personal data value under the
 * current key of DATA_ENCRYPTION_KEYS (see src/modules/privacy/key-rotation.ts), online and in batches. Exit 0 when
 * everything is under the current key (older keys may then be removed), 75 when values changed during the run were
 * skipped (run it again).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { openConfiguredDatabase } from '../src/infra/db/database';
import { createLogger } from '../src/infra/logger';
import { rotateSealedValues } from '../src/modules/privacy/key-rotation';
import { loadConfigOrExit, runMain } from '../src/process-lifecycle';
import { moduleEntities } from '../src/modules/index';

runMain(async () => {
  const { values } = parseArgs({ options: { 'batch-size': { type: 'string' }, after: { type: 'string' } } });
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config, logger, moduleEntities);
  try {
    const report = await rotateSealedValues(database.orm.em.fork(), {
      batchSize: values['batch-size'] ? Number(values['batch-size']) : undefined,
      afterId: values.after ?? null,
      logger,
    });
    logger.info(report, report.skipped ? 'key rotation done; some values changed meanwhile: run it again' : 'key rotation done: every value is under the current key');
    process.exitCode = report.skipped ? 75 : 0;
  } finally {
    await database.close();
  }
});
