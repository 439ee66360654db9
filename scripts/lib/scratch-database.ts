import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/infra/db/embedded-postgres';
import type { Logger } from '../../src/infra/logger';

/** A free TCP port on 127.0.0.1, as the kernel hands it out. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface ScratchDatabase {
  /** URL of the given database; the server also answers for any other database created on it. */
  url: string;
  /** URL of the `postgres` maintenance database, to create or drop other databases. */
  adminUrl: string;
  /** The temporary data directory, removed by `stop` (or by whoever must clean up without it). */
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A throw-away embedded PostgreSQL in a temporary directory, deleted on stop: for tests, benchmarks and the
 * migration checks. Durability is traded for speed (fsync off), which is fine for data nobody keeps.
 */
export async function startScratchDatabase(logger: Logger, database = 'atelier'): Promise<ScratchDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atelier-pg-'));
  const port = await freePort();
  const db = await startEmbeddedPostgres({
    dataDir,
    port,
    database,
    logger,
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
  });
  return {
    url: db.url,
    adminUrl: db.url.replace(/\/[^/]+$/, '/postgres'),
    dataDir,
    stop: async () => {
      try {
        await db.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
