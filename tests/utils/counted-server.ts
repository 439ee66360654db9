import { startStatementCounter, type StatementCounter } from '../../bench/lib/pg-statement-counter';
import { startCluster } from './cluster';
import { createTestDatabase, type TestDatabase } from './database';
import { startTestServer, type TestServer } from './test-server';

/** A server on a database of its own, reaching PostgreSQL through a statement counter: what its requests cost, counted. */
export interface CountedServer {
  server: TestServer;
  counter: StatementCounter;
  /** The database, for more servers on it (through `counter.url` or not). */
  database: TestDatabase;
  /** Closes the server, then the counter, then drops the database. */
  close(): Promise<void>;
}

/** Starts a {@link CountedServer} without workers; `env` goes on top. */
export async function startCountedServer(env: Record<string, string> = {}): Promise<CountedServer> {
  const database = await createTestDatabase();
  const counter = await startStatementCounter(database.url);
  const server = await startTestServer({ DATABASE_URL: counter.url, RUN_WORKER: 'false', ...env }, database);
  return {
    server,
    counter,
    database,
    async close() {
      await server.close();
      await counter.close();
      await database.drop();
    },
  };
}

/** Two instances sharing Redis, the second reaching PostgreSQL through a statement counter: what B saves is counted. */
export interface CountedPair {
  instanceA: TestServer;
  instanceB: TestServer;
  /** The statements of instance B. */
  counterB: StatementCounter;
  close(): Promise<void>;
}

/** Starts a {@link CountedPair} on a database of its own, for tests of caches across instances. */
export async function startCountedPair(): Promise<CountedPair> {
  const database = await createTestDatabase();
  const counterB = await startStatementCounter(database.url);
  const cluster = await startCluster({ database, redis: true, instances: [{}, { env: { DATABASE_URL: counterB.url } }] });
  const [instanceA, instanceB] = cluster.instances as [TestServer, TestServer];
  return {
    instanceA,
    instanceB,
    counterB,
    async close() {
      await cluster.close();
      await counterB.close();
      await database.drop();
    },
  };
}
