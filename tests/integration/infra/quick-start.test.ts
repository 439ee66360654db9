import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ensureBuilt, repoRoot } from '../../utils/build';

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
    expect(scripts.prestart).toBe('tsc -b tsconfig.build.json');
    expect(scripts.start).toBe('node dist/src/main.js');

    // An unchanged checkout: the build check compares timestamps and writes nothing.
    const compiled = ['src/main.js', 'src/app.js', 'scripts/create-admin.js'].map((file) => join(repoRoot, 'dist', file));
    const before = compiled.map((file) => statSync(file).mtimeMs);
    await run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json'], { cwd: repoRoot });
    expect(compiled.map((file) => statSync(file).mtimeMs)).toEqual(before);
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
});
