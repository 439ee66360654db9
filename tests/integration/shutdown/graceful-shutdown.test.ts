import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { Client } from 'pg';
import WebSocket from 'ws';
import { freePort } from '../../../scripts/lib/scratch-database';
import { CategoriesDocument } from '../../generated/graphql';
import { ensureBuilt, mainScript, repoRoot } from '../../utils/build';
import { createTestDatabase, type TestDatabase } from '../../utils/database';
import { waitFor } from '../../utils/wait';

/** However the test goes, the child gets no longer than this. */
const CHILD_DEADLINE_MS = 20_000;

interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output: () => string;
}

/** `node dist/src/main.js` as `npm start` runs it, on a free port, over `databaseUrl`; resolves once it listens. */
async function startCompiledServer(databaseUrl: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [mainScript], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      JWT_SECRET: 'test-secret-of-at-least-thirty-two-characters',
      DATA_ENCRYPTION_KEYS: process.env.DATA_ENCRYPTION_KEYS ?? '',
      STRIPE_SECRET_KEY: 'sk_test_placeholder',
      STRIPE_WEBHOOK_SECRET: 'whsec_placeholder',
      STRIPE_API_URL: 'http://127.0.0.1:9',
      CORS_ORIGINS: 'https://shop.example',
      METRICS_TOKEN: 'test-metrics-token-0123456789',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '10000',
      SHUTDOWN_DELAY_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), CHILD_DEADLINE_MS);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => clearTimeout(killer));

  const baseUrl = `http://127.0.0.1:${port}`;
  const listening = new Promise<void>((resolve, reject) => {
    const check = () => (output.includes('Atelier is listening') ? resolve() : undefined);
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${output}`)));
  });
  await listening;
  return { child, baseUrl, exited, output: () => output };
}

/** GET /readyz: its status, or `refused` once nothing listens. */
const readiness = (baseUrl: string) => fetch(`${baseUrl}/readyz`).then((response) => response.status, () => 'refused' as const);

/** A graphql-transport-ws socket, acknowledged; `closed` resolves with the close code and when it came. */
async function openLiveSocket(baseUrl: string): Promise<{ socket: WebSocket; closed: Promise<{ code: number; at: number }> }> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const closed = new Promise<{ code: number; at: number }>((resolve) => socket.once('close', (code) => resolve({ code, at: Date.now() })));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    socket.once('message', (data) => (JSON.parse(String(data)).type === 'connection_ack' ? resolve() : reject(new Error(String(data)))));
    socket.once('error', reject);
  });
  return { socket, closed };
}

/** Resolves once a statement of `database` is waiting for a lock: the request it serves is in flight. */
function waitForLockWait(admin: Client, database: string): Promise<void> {
  const waiting = async () => {
    const { rows } = await admin.query(
      "select count(*)::int as waiting from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'",
      [database],
    );
    return rows[0].waiting > 0;
  };
  return waitFor(waiting, 5_000, 'a statement to wait for the lock', 25);
}

describe('graceful shutdown of the compiled server', () => {
  let database: TestDatabase;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    [database] = await Promise.all([createTestDatabase(), ensureBuilt()]);
  }, 120_000);
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await database?.drop();
  });

  it('should finish an in-flight request, refuse new ones and exit 0 on SIGTERM', async () => {
    const locker = new Client({ connectionString: database.url });
    await locker.connect();
    try {
      await locker.query("insert into category (id, name, slug) values ('019b0000-0000-7000-8000-000000000001', 'Ceramics', 'ceramics')");
      server = await startCompiledServer(database.url);
      expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);

      // Hold the category table so that the request waits inside the server, in flight, for as long as we like.
      await locker.query('begin');
      await locker.query('lock table category in access exclusive mode');
      const inFlight = fetch(`${server.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: print(CategoriesDocument) }),
      });
      await waitForLockWait(locker, database.name);

      server.child.kill('SIGTERM');
      // Draining: /readyz is no longer 200 (503, or the connection is refused), but the process still runs.
      await waitFor(async () => (await readiness(server!.baseUrl)) !== 200, 5_000, '/readyz to stop answering 200');
      expect([503, 'refused']).toContain(await readiness(server.baseUrl));
      expect(server.child.exitCode).toBeNull();

      await locker.query('commit');
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        data: { categories: [{ id: '019b0000-0000-7000-8000-000000000001', name: 'Ceramics', slug: 'ceramics' }] },
        extensions: { cost: expect.any(Object) },
      });

      expect({ code: await server.exited, output: server.output() }).toEqual({ code: 0, output: expect.stringContaining('stopped cleanly') });
      expect(server.output()).not.toContain('second signal');
    } finally {
      await locker.end();
    }
  });

  it('should answer 503 on /readyz at once on SIGTERM, serve on through SHUTDOWN_DELAY_MS, then close WebSockets with 1001 and exit 0', async () => {
    const delayMs = 4_000;
    server = await startCompiledServer(database.url, { SHUTDOWN_DELAY_MS: String(delayMs) });
    const live = await openLiveSocket(server.baseUrl);
    expect(await readiness(server.baseUrl)).toBe(200);

    server.child.kill('SIGTERM');
    const signalledAt = Date.now();
    // What a load balancer polling /readyz sees: 503 from the first answer after the signal (never a refusal yet).
    const statuses: Array<number | 'refused'> = [];
    const poll = async () => {
      const status = await readiness(server!.baseUrl);
      if (statuses.at(-1) !== status) statuses.push(status);
      return status;
    };
    await waitFor(async () => (await poll()) !== 200, delayMs, '/readyz to stop answering 200', 20);
    expect(statuses.at(-1)).toBe(503);
    // Not ready, yet serving: a query on a new connection is answered, and the WebSocket stays open.
    const during = await fetch(`${server.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(CategoriesDocument) }),
    });
    expect(during.status).toBe(200);
    expect(await during.json()).toEqual({ data: { categories: expect.any(Array) }, extensions: { cost: expect.any(Object) } });
    expect(live.socket.readyState).toBe(WebSocket.OPEN);
    expect(Date.now() - signalledAt).toBeLessThan(delayMs);

    // Then the listener closes: the load balancer's next poll is refused, and the socket is told the server goes away.
    await waitFor(async () => (await poll()) === 'refused', 2 * delayMs, 'the listener to close', 50);
    // Once not ready, never ready again: 503 until the listener is gone (a 200 before it is the signal in transit).
    expect(statuses.slice(statuses[0] === 200 ? 1 : 0)).toEqual([503, 'refused']);
    const closed = await live.closed;
    expect(closed.code).toBe(1001);
    expect(closed.at - signalledAt).toBeGreaterThanOrEqual(delayMs - 50);
    expect({ code: await server.exited, output: server.output() }).toEqual({ code: 0, output: expect.stringContaining('stopped cleanly') });
  });
});
