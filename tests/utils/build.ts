import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const repoRoot = join(__dirname, '..', '..');
/** The compiled entry point that `npm start` runs. */
export const mainScript = join(repoRoot, 'dist', 'src', 'main.js');

/** What the build reads: a change to any of them, a deleted file included (its folder's mtime moves), makes dist stale. */
const BUILD_INPUTS = ['src', 'migrations', 'scripts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestChange(join(path, entry))), stat.mtimeMs);
}

/**
 * Runs `npm run build` unless dist/ is newer than every build input: the build takes about ten seconds,
 * and tests that run the compiled server must never run a stale one.
 */
export async function ensureBuilt(): Promise<void> {
  const inputs = BUILD_INPUTS.map((input) => join(repoRoot, input)).filter((input) => existsSync(input));
  if (existsSync(mainScript) && statSync(mainScript).mtimeMs > Math.max(...inputs.map(newestChange))) return;
  await promisify(execFile)('npm', ['run', 'build', '--silent'], { cwd: repoRoot });
}
