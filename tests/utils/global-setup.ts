import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { MetadataStorage } from '@mikro-orm/core';
import { Client } from 'pg';
import { openDatabase } from '../../src/infra/db/orm';
import { createLogger } from '../../src/infra/logger';
import { startScratchDatabase } from '../../scripts/lib/scratch-database';
import { ensureBuilt } from './build';
import { TEMPLATE_DATABASE } from './database';
import { moduleEntities } from '../../src/modules/index';

/**
 * Once per test run: a PostgreSQL server (the given DATABASE_URL's, or a scratch embedded one) and on it a
 * template database with every migration applied. Each test file then clones the template, which takes
 * milliseconds, so that no two files share data.
 */
export default async function globalSetup(): Promise<void> {
  // Tests that run the compiled server (shutdown, several processes) share one dist/, built here once:
  // two test files building it at the same time would delete it under each other.
  const built = ensureBuilt();
  // One key ring for the whole run, inherited by the test workers and handed to the processes they spawn.
  process.env.DATA_ENCRYPTION_KEYS ??= JSON.stringify({ current: 'test-1', keys: { 'test-1': randomBytes(32).toString('base64') } });
  const logger = createLogger('warn');
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const scratch = await startScratchDatabase(logger, 'postgres');
    (globalThis as { __scratchDatabase__?: typeof scratch }).__scratchDatabase__ = scratch;
    adminUrl = scratch.adminUrl;
  }
  process.env.TEST_PG_ADMIN_URL = adminUrl;

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const orm = await openDatabase({ url: withDatabase(adminUrl, TEMPLATE_DATABASE), entities: moduleEntities, logger });
  await orm.close();
  // MikroORM keeps entity metadata in a process-wide store; a test file run in this same process (in band)
  // would pick it up, cloned wrongly across Jest's realms (mikro-orm/mikro-orm#3783). Leave nothing behind.
  MetadataStorage.clear();
  await built;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
