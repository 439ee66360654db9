#!/usr/bin/env node
/**
 * Builds the dashboard (dashboard/, React + Apollo Client) with Vite into dist/dashboard, which the API serves at
 * /dashboard/. Like `tsc -b`, it does nothing when nothing changed: a hash of every source file of the dashboard
 * and of the lockfile is kept beside the output (dist/.dashboard-build-hash, outside the served folder), so that
 * `npm start`, which builds first, costs no Vite run on an unchanged checkout. `--force` builds anyway.
 * Run by scripts/build.mjs (`npm run build`, `npm start`), or alone.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isUpToDate, sourceHash } from './lib/source-hash.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputDir = join(root, 'dist', 'dashboard');
const hashFile = join(root, 'dist', '.dashboard-build-hash');

/** Builds the dashboard unless its sources are unchanged since the last build (or `force`). */
export async function buildDashboard({ force = false } = {}) {
  const wanted = sourceHash(root, ['dashboard', 'package-lock.json']);
  if (!force && isUpToDate(hashFile, wanted, [join(outputDir, 'index.html')])) return;
  // Whatever the caller's NODE_ENV (jest sets `test`): Vite would otherwise bundle React's development build.
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ configFile: join(root, 'dashboard', 'vite.config.ts'), logLevel: process.env.DASHBOARD_BUILD_LOG ?? 'warn' });
  writeFileSync(hashFile, wanted);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildDashboard({ force: process.argv.includes('--force') });
