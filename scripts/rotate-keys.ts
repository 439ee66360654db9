/**
 * `npm run rotate-keys [-- --batch-size N] [--table customer_order|app_user] [--after <id of that table>]`: re-seals every personal data value under the
 * current key of DATA_ENCRYPTION_KEYS (see src/modules/privacy/key-rotation.ts), online and in batches. Exit 0 when
 * everything is under the current key (older keys may then be removed), 75 when values changed during the run were
 * skipped (run it again).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { openConfiguredDatabase } from '../src/infra/db/database';
import { createLogger } from '../src/infra/logger';
import { loadConfigOrExit, runMain } from '../src/process-lifecycle';
import { moduleEntities } from '../src/modules/index';
import type { RotatedTable } from '../src/modules/privacy/key-rotation';
import { systemScope } from '../src/modules/service-scope';
import { systemClock } from '../src/shared/clock';
import { createWorkerServices } from '../src/worker';

runMain(async () => {
  const { values } = parseArgs({ options: { 'batch-size': { type: 'string' }, table: { type: 'string' }, after: { type: 'string' } } });
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel);
  const database = await openConfiguredDatabase(config, logger, moduleEntities);
  try {
    // The same service as the API's, called as the system actor `rotate-keys`.
    const services = createWorkerServices({ config, orm: database.orm, logger });
    const report = await services.keyRotationService.rotate(systemScope({ orm: database.orm, clock: systemClock, logger }, 'rotate-keys'), {
      batchSize: values['batch-size'] ? Number(values['batch-size']) : undefined,
      table: values.table as RotatedTable | undefined,
      afterId: values.after ?? null,
    });
    logger.info(report, report.skipped ? 'key rotation done; some values changed meanwhile: run it again' : 'key rotation done: every value is under the current key');
    process.exitCode = report.skipped ? 75 : 0;
  } finally {
    await database.close();
  }
});
