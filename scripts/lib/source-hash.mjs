/**
 * What the build scripts compare to decide whether anything changed: a hash of the contents of source files, kept
 * beside the build output. Cheaper than the build tools' own checks, which start by loading the tool.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function filesUnder(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => filesUnder(join(path, entry.name)));
}

/** The SHA-256 of every file under `paths` (files or folders, relative to `root`): names and contents, in a stable order. */
export function sourceHash(root, paths) {
  const hash = createHash('sha256');
  for (const file of paths.flatMap((path) => filesUnder(join(root, path))).sort()) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Whether the build that `hashFile` records was made from sources hashing to `wanted`, and its `outputs` exist. */
export function isUpToDate(hashFile, wanted, outputs) {
  return outputs.every((output) => existsSync(output)) && existsSync(hashFile) && readFileSync(hashFile, 'utf8') === wanted;
}
