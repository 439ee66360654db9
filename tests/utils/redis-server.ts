import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/scratch-database';

export interface TestRedisOptions {
  /**
   * Keep the data across `restart()`: an append-only file, fsynced at every write, in a temporary directory removed
   * by `stop()`. Default false: no persistence, a restart comes back empty.
   */
  persistent?: boolean;
}

export interface TestRedis {
  url: string;
  /** The process id of the running redis-server. */
  readonly pid: number;
  /** SIGSTOP: connections stay open and nothing is answered, as with a Redis that swaps or hangs. */
  freeze(): void;
  /** SIGCONT after `freeze`. Safe to call when not frozen (cleanup paths call it always). */
  thaw(): void;
  /** Stops redis-server (SIGTERM; with `persistent`, its data stays on disk) until `startAgain`. */
  shutDown(): Promise<void>;
  /** Starts it again on the same port, with its data when `persistent`. */
  startAgain(): Promise<void>;
  /** `shutDown`, then `startAgain`. */
  restart(): Promise<void>;
  /** Stops it (thawed first); with `persistent`, removes its data. */
  stop(): Promise<void>;
}

/** Starts `redis-server` on `port` and resolves once it accepts connections. */
async function spawnRedis(port: number, dataDir: string | null): Promise<ChildProcess> {
  const persistence = dataDir ? ['--dir', dataDir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''] : ['--save', '', '--appendonly', 'no'];
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistence, '--protected-mode', 'yes'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`redis-server could not start (apt-get install -y redis-server): ${error.message}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return child;
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    // A frozen process would queue SIGTERM until it is continued.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  });
}

/**
 * A real `redis-server` (Debian's package) on a free port of 127.0.0.1, stopped by `stop()`. Tests that need Redis
 * start their own, so that they never share state.
 */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const port = await freePort();
  const dataDir = options.persistent ? await mkdtemp(join(tmpdir(), 'atelier-redis-')) : null;
  let child = await spawnRedis(port, dataDir);
  return {
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid!;
    },
    freeze: () => {
      child.kill('SIGSTOP');
    },
    thaw: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
    },
    shutDown: () => stopProcess(child),
    startAgain: async () => {
      child = await spawnRedis(port, dataDir);
    },
    restart: async () => {
      await stopProcess(child);
      child = await spawnRedis(port, dataDir);
    },
    stop: async () => {
      await stopProcess(child);
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
