import { describe, expect, it, jest } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Modules import each other through their public entries (`src/modules/<name>/index.ts`), and some of them import
 * each other both ways (orders and payments, catalog and inventory). Node's CommonJS loader copes with such cycles
 * only when nothing in the cycle uses a value of a file still loading: an enum read while building a zod schema or a
 * column's default would be undefined. Which file loads first decides it: the app loads the list of modules first,
 * a test or a script may load any file first. So each file of every module is loaded first here, in a fresh registry.
 */
const MODULES = join(__dirname, '..', '..', '..', 'src', 'modules');
const files = readdirSync(MODULES, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .sort();

describe('the load order of the modules', () => {
  it.each(files)('should load src/modules/%s first without touching a file still loading', (file) => {
    let loaded: unknown;
    jest.isolateModules(() => {
      loaded = require(join(MODULES, file));
    });
    expect(typeof loaded).toBe('object');
  });
});
