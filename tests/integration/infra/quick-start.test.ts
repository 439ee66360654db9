import { execFile, spawn } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ensureBuilt, repoRoot } from '../../utils/build';
import { createTestDatabase } from '../../utils/database';
import { freePort } from '../../../scripts/lib/scratch-database';
import { waitFor } from '../../utils/wait';

const run = promisify(execFile);

/** A program that writes one log line through the app's logger, from the compiled code. */
const LOG_ONE_LINE = `require(${JSON.stringify(join(repoRoot, 'dist', 'src', 'infra', 'logger.js'))}).createLogger('info').info({ probe: 1 }, 'hello from the probe')`;

/** Runs LOG_ONE_LINE with `env`, its stdout a pipe (`tty: false`) or a terminal (util-linux's `script` gives it a pseudo-terminal). */
async function logOutput(env: Record<string, string>, tty: boolean): Promise<string> {
  const environment = { PATH: process.env.PATH ?? '', ...env };
  if (!tty) return (await run(process.execPath, ['-e', LOG_ONE_LINE], { cwd: repoRoot, env: environment })).stdout;
  const command = `${JSON.stringify(process.execPath)} -e ${JSON.stringify(LOG_ONE_LINE)}`;
  return (await run('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, env: environment })).stdout;
}

describe('quick starts', () => {
  beforeAll(async () => {
    await ensureBuilt();
  }, 120_000);

  it('should build only what changed, never deleting dist/, for npm start and the operator scripts', async () => {
    const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['build', 'prestart', 'start', 'worker', 'migrate', 'seed', 'create-admin', 'rotate-keys']) {
      expect({ name, script: scripts[name] }).toEqual({ name, script: expect.not.stringMatching(/rm -rf|rimraf|--force|tsc -p/) });
    }
    // The server's and the dashboard's builds do nothing on an unchanged checkout (hashes of their sources beside dist/).
    expect(scripts.prestart).toBe('node scripts/build.mjs');
    expect(scripts.build).toBe('node scripts/build.mjs');
    expect(scripts.start).toBe('node dist/src/main.js');

    // An unchanged checkout: the build check hashes the sources and writes nothing, not even its hashes.
    await run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot });
    const written = ['src/main.js', 'src/app.js', 'scripts/create-admin.js', '.server-build-hash', '.dashboard-build-hash', 'dashboard/index.html'];
    const files = written.map((file) => join(repoRoot, 'dist', file));
    const before = files.map((file) => statSync(file).mtimeMs);
    await run(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot });
    expect(files.map((file) => statSync(file).mtimeMs)).toEqual(before);
  }, 120_000);

  it('should print pretty logs only on a terminal in development, and JSON lines everywhere else', async () => {
    const jsonLine = expect.stringMatching(/^\{"level":"info".*"msg":"hello from the probe"\}$/);
    expect((await logOutput({ NODE_ENV: 'development' }, false)).trim()).toEqual(jsonLine);
    expect((await logOutput({ NODE_ENV: 'production' }, true)).trim()).toEqual(jsonLine);
    expect((await logOutput({ NODE_ENV: 'test' }, true)).trim()).toEqual(jsonLine);

    const pretty = (await logOutput({ NODE_ENV: 'development' }, true)).trim();
    expect(pretty).toContain('hello from the probe');
    expect(pretty).not.toMatch(/^\{/);
    // pino-pretty's colours (ANSI escapes) and its level name.
    expect(pretty).toContain('\u001b[');
    expect(pretty).toContain('INFO');
  }, 60_000);

  it('should restart the server of npm run dev when a file it loaded changes', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const dev = spawn(process.execPath, [join(repoRoot, 'scripts', 'dev.mjs')], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: db.url, SEED_DEMO_DATA: 'false', LOG_LEVEL: 'info', ...(process.env.DATA_ENCRYPTION_KEYS ? { DATA_ENCRYPTION_KEYS: process.env.DATA_ENCRYPTION_KEYS } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    dev.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    dev.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const starts = () => output.split('\n').filter((line) => line.includes('"msg":"Atelier is listening"')).length;
    try {
      await waitFor(() => starts() === 1, 90_000, 'npm run dev to listen');
      // What the compiler's watch does when a source changes: it rewrites the compiled file. A touch is enough for
      // node --watch, and changes nothing that other tests run.
      const now = new Date();
      utimesSync(join(repoRoot, 'dist', 'src', 'app.js'), now, now);
      await waitFor(() => starts() === 2, 90_000, 'the server to restart');
      await waitFor(() => fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.ok, () => false), 30_000, 'the restarted server to be ready');
    } finally {
      const exited = new Promise((resolve) => dev.once('exit', resolve));
      dev.kill('SIGTERM');
      await exited;
      await db.drop();
    }
  }, 240_000);
});
