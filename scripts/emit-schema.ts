/**
 * `npm run schema:emit` writes the SDL of the code-first schema to `schema/schema.graphql`.
 * `npm run schema:check` fails when the checked-in file differs from what the code builds (CI).
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSchema } from 'graphql';
import { buildAppSchema } from '../src/graphql/schema';

const SCHEMA_FILE = join(__dirname, '..', '..', 'schema', 'schema.graphql');
const HEADER = '# Generated from the code-first schema by `npm run schema:emit`. Do not edit by hand.\n\n';

async function main(): Promise<void> {
  const sdl = HEADER + printSchema(await buildAppSchema()) + '\n';
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(SCHEMA_FILE, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== sdl) {
      console.error('schema/schema.graphql is stale: run `npm run schema:emit` and commit the result.');
      process.exit(1);
    }
    console.log('schema/schema.graphql is up to date');
    return;
  }
  writeFileSync(SCHEMA_FILE, sdl);
  console.log('wrote schema/schema.graphql');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
