#!/usr/bin/env node
/**
 * Builds the dashboard (dashboard/, React + Apollo Client) with Vite into dist/dashboard, which the API serves at
 * /dashboard/. Like `tsc -b`, it does nothing when nothing changed: a hash of every source file of the dashboard
 * and of the lockfile is kept beside the output (dist/.dashboard-build-hash, outside the served folder), so that
 * `npm start`, which builds first, costs no Vite run on an unchanged checkout. `--force` builds anyway.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'dashboard');
const outputDir = join(root, 'dist', 'dashboard');
const hashFile = join(root, 'dist', '.dashboard-build-hash');

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function sourceHash() {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(sourceDir), join(root, 'package-lock.json')].sort()) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const wanted = sourceHash();
const upToDate = existsSync(join(outputDir, 'index.html')) && existsSync(hashFile) && readFileSync(hashFile, 'utf8') === wanted;
if (upToDate && !process.argv.includes('--force')) process.exit(0);

// Whatever the caller's NODE_ENV (jest sets `test`): Vite would otherwise bundle React's development build.
process.env.NODE_ENV = 'production';
const { build } = await import('vite');
await build({ configFile: join(sourceDir, 'vite.config.ts'), logLevel: process.env.DASHBOARD_BUILD_LOG ?? 'warn' });
writeFileSync(hashFile, wanted);
