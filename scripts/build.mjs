#!/usr/bin/env node
/**
 * `npm run build`, and `npm start`'s build check: compiles the server (`tsc -b tsconfig.build.json`: src, scripts,
 * migrations into dist/), then builds the dashboard (scripts/build-dashboard.mjs), each only when its sources
 * changed, and never deletes dist/ (operator scripts and tests may run beside a running server). Loading TypeScript
 * alone takes half a second, more than a restart can spare: a hash of the server's sources is kept beside the
 * output (dist/.server-build-hash), and tsc runs only when it differs (then incrementally, as `tsc -b` does).
 * `--force` runs both builds anyway.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDashboard } from './build-dashboard.mjs';
import { isUpToDate, sourceHash } from './lib/source-hash.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');

/** What tsconfig.build.json compiles, and what it compiles with: a change to any of them is a change. */
const SERVER_SOURCES = ['src', 'scripts', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const serverHashFile = join(root, 'dist', '.server-build-hash');

const wanted = sourceHash(root, SERVER_SOURCES);
if (force || !isUpToDate(serverHashFile, wanted, [join(root, 'dist', 'src', 'main.js')])) {
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  writeFileSync(serverHashFile, wanted);
}
await buildDashboard({ force });
