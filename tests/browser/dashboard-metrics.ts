import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '../utils/build';

/** The `p`th percentile (nearest rank) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * The JavaScript a first load of the built dashboard fetches (the scripts and module preloads index.html names),
 * gzipped at the default level as a server or CDN would send it.
 */
export function dashboardBundleSize(dir = join(repoRoot, 'dist', 'dashboard')): { javascriptGzipBytes: number; files: string[] } {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/dashboard\/([^"]+\.js)"/g)].map((match) => match[1]!);
  const javascriptGzipBytes = files.reduce((sum, file) => sum + gzipSync(readFileSync(join(dir, file))).length, 0);
  return { javascriptGzipBytes, files };
}
