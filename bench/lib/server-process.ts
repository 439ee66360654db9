import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The compiled entry point of the bench's own build: `dist-bench/src/main.js`, beside this file's `dist-bench/bench/lib`. */
const MAIN_JS = join(__dirname, '..', '..', 'src', 'main.js');
/** The same server with a cipher that does not encrypt (`server-without-encryption.ts`), beside this file. */
export const WITHOUT_ENCRYPTION_JS = join(__dirname, 'server-without-encryption.js');
/** The hand-written node:http + pg server of `raw-catalog-server.ts`, beside this file: the executed reads' yardstick. */
export const RAW_CATALOG_SERVER_JS = join(__dirname, 'raw-catalog-server.js');

/** How long the server may take to answer `/readyz` (it migrates first). */
const READY_TIMEOUT_MS = 60_000;
/** How long it may take to drain and exit on SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 20_000;
/** The signing secret of the benchmark's throw-away servers: scenarios sign their own buyers' tokens with it. */
export const BENCH_JWT_SECRET = 'benchmark-only-secret-of-at-least-32-characters';
/** The bearer token of the throw-away servers' `/metrics` (production protects it). */
export const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789';
/** The key ring of personal data of the benchmark's throw-away servers (production requires one): new each run. */
export const BENCH_DATA_ENCRYPTION_KEYS = JSON.stringify({ current: 'bench', keys: { bench: randomBytes(32).toString('base64') } });
/** Lines of the server's output kept to explain a failure. */
const KEPT_LINES = 50;

export interface ServerProcessOptions {
  port: number;
  /** Where the server reaches PostgreSQL (in the benchmark: through the statement counter). */
  databaseUrl: string;
  /** Extra environment, e.g. for a future scenario's feature flags. */
  env?: Record<string, string>;
  /** Flags for node itself, before the script (`--cpu-prof` is refused in NODE_OPTIONS). Default none. */
  nodeArgs?: string[];
  /** The compiled entry point: {@link WITHOUT_ENCRYPTION_JS}, or by default the server's own `main.js`. */
  script?: string;
}

/** The API server running as a child process, as in production. */
export interface ServerProcess {
  /** The child's process id. */
  pid: number;
  /** CPU time (user + system) the server has used so far, in seconds; undefined where /proc is not readable. */
  cpuSeconds(): number | undefined;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** `http://127.0.0.1:<port>/graphql` */
  graphqlUrl: string;
  /** SIGTERM, then waits for the exit (SIGKILL after {@link STOP_TIMEOUT_MS}). Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL at once, synchronously, if it still runs: for a process that is exiting itself. */
  kill(): void;
}

/**
 * Starts `node dist-bench/src/main.js` in production mode on 127.0.0.1, with an environment of its own (nothing
 * inherited but PATH and HOME, so that a REDIS_URL or DATABASE_URL of the shell cannot leak in), and waits
 * until `/readyz` answers 200. Its output is passed to our stderr, prefixed, and kept to explain a failure.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const script = options.script ?? MAIN_JS;
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first (\`npm run bench\` does)`);
  const recent: string[] = [];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'production',
      // Production requires a signing secret; this one exists only for the benchmark's throw-away server.
      JWT_SECRET: BENCH_JWT_SECRET,
      DATA_ENCRYPTION_KEYS: BENCH_DATA_ENCRYPTION_KEYS,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      // Nothing balances load in front of it: stop without the drain delay.
      SHUTDOWN_DELAY_MS: '0',
      // Production requires its CORS origins and a protected /metrics.
      CORS_ORIGINS: 'http://127.0.0.1',
      METRICS_TOKEN: BENCH_METRICS_TOKEN,
      // Every operation is charged to its client's budget, as in production, but the load generator's single
      // address and user must never run out: the bench measures the cost of charging, not refusals.
      QUERY_BUDGET_POINTS: '100000000',
      QUERY_BUDGET_RESTORE_PER_SECOND: '10000000',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      process.stderr.write(`[server] ${line}\n`);
      recent.push(line);
      if (recent.length > KEPT_LINES) recent.shift();
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const baseUrl = `http://127.0.0.1:${options.port}`;
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= stopChild(child, exited));
  try {
    await waitUntilReady(baseUrl, exited);
  } catch (error) {
    await stop();
    throw new Error(`the server did not become ready: ${(error as Error).message}\n${recent.join('\n')}`, { cause: error });
  }
  const pid = child.pid!;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return { pid, baseUrl, graphqlUrl: `${baseUrl}/graphql`, cpuSeconds: () => processCpuSeconds(pid), stop, kill };
}

async function waitUntilReady(baseUrl: string, exited: Promise<number | null>): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`it exited with code ${exitCode}`);
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no 200 from /readyz within ${READY_TIMEOUT_MS / 1000} s`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
  });
  const outcome = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`the server did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM: killed`);
  }
  if (outcome !== 0) throw new Error(`the server exited with code ${outcome} on SIGTERM`);
}

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ), whatever the kernel's own tick. */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process from /proc/<pid>/stat (fields 14 and 15), in seconds; undefined elsewhere. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
