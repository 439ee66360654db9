import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { ensureBuilt, repoRoot } from '../../utils/build';
import { createEmptyDatabase, type TestDatabase } from '../../utils/database';
import { runToEnd } from '../../utils/processes';

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
});
