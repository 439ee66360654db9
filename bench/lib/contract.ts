import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print } from 'graphql';

/** The repository's root, whether this runs compiled (`dist-bench/bench/lib`) or from its sources (`bench/lib`). */
const ROOT = __filename.endsWith('.ts') ? join(__dirname, '..', '..') : join(__dirname, '..', '..', '..');

/**
 * One operation of the API contract (`tests/contract/<client>.graphql`), printed on its own, exactly as the
 * clients write it: the benchmark measures what they send, not a look-alike.
 */
export function contractOperation(client: 'storefront' | 'artisan' | 'admin', name: string): string {
  const document = parse(readFileSync(join(ROOT, 'tests', 'contract', `${client}.graphql`), 'utf8'));
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === name);
  if (!operation) throw new Error(`the contract has no operation ${name} in ${client}.graphql`);
  return print(operation);
}
