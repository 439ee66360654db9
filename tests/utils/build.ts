import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const repoRoot = join(__dirname, '..', '..');
/** The compiled entry point that `npm start` runs. */
export const mainScript = join(repoRoot, 'dist', 'src', 'main.js');

/**
 * `npm run build` (`tsc -b tsconfig.build.json`), so that tests that run the compiled server never run a stale
 * one. The build is incremental: on an unchanged checkout it compares timestamps and writes nothing (about a
 * second), and it never deletes dist/, so test files may call it while others run the compiled server.
 */
export async function ensureBuilt(): Promise<void> {
  await promisify(execFile)(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json'], {
    cwd: repoRoot,
  });
}
