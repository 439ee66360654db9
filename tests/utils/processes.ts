import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve as resolvePath } from 'node:path';
import { freePort } from '../../scripts/lib/scratch-database';
import { waitFor } from './wait';

const repoRoot = join(__dirname, '..', '..');

/** A compiled entry point (`dist/...`) running as a child process, with what it printed. */
export interface ChildServer {
  /** `http://127.0.0.1:<port>`, when it serves HTTP. */
  baseUrl: string;
  graphqlUrl: string;
  wsUrl: string;
  output: () => string;
  /** Its process id. */
  pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within 5 s. */
  stop(): Promise<void>;
  /** SIGKILL at once, as an OOM kill or a lost machine: no handler runs. Resolves once it has exited. */
  crash(): Promise<void>;
}

/**
 * Spawns `node <entry>` (e.g. `dist/src/main.js`) with `env` on top of a minimal environment. With `http`,
 * it gets a free PORT and is ready once `/readyz` answers 200 (within `readyTimeoutMs`, default 90 s: on a 2-core
 * machine under a load of 20, three processes starting together took over 30 s only to load their modules, and
 * they then migrate one after the other under the migrations' advisory lock).
 */
export async function spawnChild(
  entry: string,
  env: Record<string, string>,
  options: { http: boolean; readyTimeoutMs?: number; readyText?: string } = { http: true },
): Promise<ChildServer> {
  const port = options.http ? await freePort() : 0;
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, entry)], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      // No drain delay: nothing balances load in front of a test's process.
      SHUTDOWN_DELAY_MS: '0',
      // The same key ring as the test's own server: a child reads what the test wrote.
      ...(process.env.DATA_ENCRYPTION_KEYS ? { DATA_ENCRYPTION_KEYS: process.env.DATA_ENCRYPTION_KEYS } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const signal = (first: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill(first);
    });
  const stop = () => signal('SIGTERM');
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}:\n${output}`);
        if (options.readyText) return output.includes(options.readyText);
        if (!options.http) return true;
        return fetch(`${baseUrl}/readyz`).then((response) => response.ok, () => false);
      },
      options.readyTimeoutMs ?? 90_000,
      `${entry} to be ready`,
      100,
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}; it printed:\n${output}`, { cause: error });
  }
  return {
    baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    wsUrl: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    output: () => output,
    pid: child.pid!,
    stop,
    crash: () => signal('SIGKILL'),
  };
}

/**
 * Runs `node <entry> [args]` (e.g. `dist/scripts/migrations.js`, relative to the repository, or absolute) to its end, with `env` on top of PATH alone;
 * resolves with its exit code and what it printed. SIGKILL after `timeoutMs` (default 60 s).
 */
export function runToEnd(
  entry: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [resolvePath(repoRoot, entry), ...args], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}
