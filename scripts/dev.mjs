#!/usr/bin/env node
/**
 * `npm run dev`: the server with watch and reload. The TypeScript compiler watches the sources and rewrites
 * only what changed in dist/ (`tsc -b --watch`, incremental), and `node --watch` restarts the server when a file
 * it loaded changes. Not tsx or another esbuild-based runner: esbuild emits no decorator metadata, which
 * type-graphql and MikroORM read. NODE_ENV defaults to `development` (pretty logs on a terminal) and
 * SHUTDOWN_DELAY_MS to 0 (no load balancer to tell), so a restart takes about as long as `npm start`.
 * Beside them, Vite's dev server serves the dashboard with hot reload at http://localhost:5173/dashboard/
 * (DASHBOARD_DEV_PORT), proxying /graphql (HTTP and WebSocket) to the API, so that page and API share an origin.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');

// The first build, before the server starts, so that it never runs a stale dist/.
spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });

const children = [
  spawn(process.execPath, [tsc, '-b', '--watch', '--preserveWatchOutput', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' }),
  spawn(process.execPath, ['--watch', '--enable-source-maps', join('dist', 'src', 'main.js')], {
    cwd: root,
    stdio: 'inherit',
    env: { NODE_ENV: 'development', SHUTDOWN_DELAY_MS: '0', ...process.env },
  }),
  spawn(process.execPath, [vite, '--config', join('dashboard', 'vite.config.ts')], { cwd: root, stdio: 'inherit' }),
];

let stopping = false;
const stop = (signal) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// Whichever ends first (the server crashed at start, the compiler failed), the other follows.
for (const child of children) child.once('exit', () => stop('SIGTERM'));
await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()))));
