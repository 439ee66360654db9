import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { ensureBuilt, repoRoot } from '../../utils/build';
import { openDatabase } from '../../../src/infra/db/orm';
import { createLogger } from '../../../src/infra/logger';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../../utils/database';
import { runToEnd } from '../../utils/processes';
import { moduleEntities } from '../../../src/modules/index';

/** `node dist/scripts/migrations.js up` (`npm run migrate`) to its end. */
const migrate = (databaseUrl: string) =>
  runToEnd(join('dist', 'scripts', 'migrations.js'), ['up'], { DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' }, 90_000).then(
    ({ code, stdout, stderr }) => ({ code, output: stdout + stderr }),
  );

describe('migrations under an advisory lock', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    [database] = await Promise.all([createEmptyDatabase(), ensureBuilt()]);
  }, 120_000);
  afterAll(async () => {
    await database?.drop();
  });

  it('should apply every migration once when three processes migrate one empty database at the same time', async () => {
    const runs = await Promise.all([migrate(database.url), migrate(database.url), migrate(database.url)]);
    expect(runs.map((run) => ({ code: run.code, output: run.code === 0 ? '' : run.output }))).toEqual([
      { code: 0, output: '' },
      { code: 0, output: '' },
      { code: 0, output: '' },
    ]);
    // One process applied them all; the others waited for its lock, then found nothing pending.
    const appliers = runs.filter((run) => run.output.includes('"msg":"applied migrations"'));
    expect(appliers).toHaveLength(1);

    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; count: number }>('select name, count(*)::int as count from mikro_orm_migrations group by name');
      const files = readdirSync(join(repoRoot, 'migrations')).filter((file) => /^Migration.*\.ts$/.test(file));
      expect(rows).toHaveLength(files.length);
      expect(rows.every((row) => row.count === 1)).toBe(true);
      const { rows: queue } = await client.query<{ exists: boolean }>("select to_regclass('graphile_worker.jobs') is not null as exists");
      expect(queue[0]!.exists).toBe(true);
    } finally {
      await client.end();
    }
  });

  it("should let a migration wait behind a lock longer than the API's statement timeout, and apply it", async () => {
    const migrated = await createTestDatabase();
    const holder = new Client({ connectionString: migrated.url });
    await holder.connect();
    try {
      // The last migration made pending again (its `up` is repeatable), and a session holding a lock it must wait for.
      const newest = readdirSync(join(repoRoot, 'migrations')).filter((file) => /^Migration.*\.ts$/.test(file)).sort().at(-1)!.replace(/\.ts$/, '');
      const { rowCount } = await holder.query('delete from mikro_orm_migrations where name = $1', [newest]);
      expect(rowCount).toBe(1);
      await holder.query('begin');
      await holder.query('lock table email_message in share mode');
      // Held for 2.5 s, longer than any of the API's timeouts: how long the migration waits is the subject here.
      const released = new Promise<void>((resolve) => setTimeout(() => holder.query('commit').then(() => resolve()), 2_500));
      // The API's timeouts: its pool's client gives up reading after 1.5 s, which the migration must not be held to.
      const orm = await openDatabase({
        url: migrated.url,
        entities: moduleEntities,
        logger: createLogger('silent'),
        timeouts: { acquireMs: 1_000, statementMs: 500, lockMs: 500 },
        migrationStatementMs: 30_000,
      });
      await released;
      await orm.close();
      const { rows } = await holder.query<{ count: number }>('select count(*)::int as count from mikro_orm_migrations where name = $1', [newest]);
      expect(rows[0]!.count).toBe(1);
    } finally {
      await holder.end();
      await migrated.drop();
    }
  });
});
