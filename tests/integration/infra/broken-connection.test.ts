import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { createServer, Socket, type Server } from 'node:net';
import { isDatabaseUnavailable } from '../../../src/infra/db/unavailable';
import { ormConfig } from '../../../src/infra/db/orm';
import { createLogger } from '../../../src/infra/logger';
import { runSql } from '../../../src/shared/sql';
import { createTestDatabase, type TestDatabase } from '../../utils/database';
import { moduleEntities } from '../../../src/modules/index';

/**
 * A TCP proxy to PostgreSQL that can cut a connection at the moment a statement goes through it, as a restart or
 * a failover does: the client's `BEGIN` is sent and the connection ends before any answer.
 */
function startCuttingProxy(target: URL): Promise<{ url: string; cutAt(statement: string): void; close(): Promise<void> }> {
  let cutText: string | null = null;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    upstream.connect(Number(target.port), target.hostname);
    client.on('data', (chunk: Buffer) => {
      if (cutText !== null && chunk.includes(cutText)) {
        cutText = null;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      const url = new URL(target.toString());
      url.hostname = '127.0.0.1';
      url.port = String(port);
      resolve({
        url: url.toString(),
        cutAt: (statement) => {
          cutText = statement;
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

describe('a connection that breaks as a transaction begins', () => {
  let database: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startCuttingProxy>>;
  let orm: MikroORM;

  beforeAll(async () => {
    database = await createTestDatabase();
    proxy = await startCuttingProxy(new URL(database.url));
    orm = await MikroORM.init(ormConfig({ url: proxy.url, entities: moduleEntities, logger: createLogger('silent'), poolSize: 1 }));
  });
  afterAll(async () => {
    await orm?.close(true);
    await proxy?.close();
    await database?.drop();
  });

  it("should fail with the driver's error, which says the database is unavailable, and the next transaction should work", async () => {
    // The pool's one connection is open and idle when the database goes away under BEGIN.
    expect(await runSql<{ one: number }>(orm.em.fork(), 'select 1 as one')).toEqual([{ one: 1 }]);
    proxy.cutAt('BEGIN');
    const failure = await orm.em
      .fork()
      .transactional((tx) => runSql(tx, 'select 1 as one'))
      .then(
        () => null,
        (error: unknown) => error as Error,
      );
    // knex handed out a finished transaction whose first query said only "Transaction query already complete",
    // which the API answered INTERNAL_SERVER_ERROR (patches/knex+3.2.10.patch).
    expect(failure?.message).not.toMatch(/Transaction query already complete/);
    expect(isDatabaseUnavailable(failure)).toBe(true);

    const again = await orm.em.fork().transactional((tx) => runSql<{ one: number }>(tx, 'select 1 as one'));
    expect(again).toEqual([{ one: 1 }]);
  });
});
