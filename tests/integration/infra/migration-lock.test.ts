import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from 'pg';
import { ensureBuilt, repoRoot } from '../../utils/build';
import { createEmptyDatabase, type TestDatabase } from '../../utils/database';

/** `node dist/scripts/migrations.js up` (`npm run migrate`) to its end: exit code and output. */
function migrate(databaseUrl: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'scripts', 'migrations.js'), 'up'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

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
