import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../../scripts/lib/scratch-database';
import { ensureBuilt } from '../../utils/build';
import { createTestDatabase, type TestDatabase } from '../../utils/database';
import { runToEnd } from '../../utils/processes';

/** Runs `node dist/src/main.js` to its end (it must fail to start). */
const startAndFail = (env: Record<string, string>) =>
  runToEnd(join('dist', 'src', 'main.js'), [], { NODE_ENV: 'test', HOST: '127.0.0.1', SEED_DEMO_DATA: 'false', LOG_LEVEL: 'warn', ...env });

describe('start-up errors of the compiled server', () => {
  let database: TestDatabase;
  let occupied: Server;
  let port: number;

  beforeAll(async () => {
    [database] = await Promise.all([createTestDatabase(), ensureBuilt()]);
    port = await freePort();
    occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(port, '127.0.0.1', resolve));
  }, 120_000);
  afterAll(async () => {
    await new Promise((resolve) => occupied?.close(resolve));
    await database?.drop();
  });

  it('should say which PORT is in use and what to set, without a stack trace, and exit 1', async () => {
    const result = await startAndFail({ DATABASE_URL: database.url, PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`PORT ${port} is in use on 127.0.0.1: set PORT to a free port, or stop the process that holds it.`);
    expect(result.stdout).not.toContain('WebSocket');
  });

  it('should name DATABASE_URL when its PostgreSQL does not answer', async () => {
    const nobody = await freePort();
    const result = await startAndFail({ DATABASE_URL: `postgres://atelier:secret@127.0.0.1:${nobody}/atelier`, PORT: '0' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `PostgreSQL at 127.0.0.1:${nobody}/atelier does not answer (ECONNREFUSED): check DATABASE_URL (unset it to use the embedded PostgreSQL).`,
    );
    expect(result.stderr).not.toContain('secret');
  });
});
