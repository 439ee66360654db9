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

/** A new buyer's access token on the server at `graphqlUrl`, signed up through the contract's `SignUp`. */
export async function benchToken(graphqlUrl: string): Promise<string> {
  const signUp = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: contractOperation('storefront', 'SignUp'),
      variables: { input: { email: `bench-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`, password: 'bench-password-123', displayName: 'Bench' } },
    }),
  });
  const body = (await signUp.json()) as { data?: { signUp?: { accessToken: string } }; errors?: unknown };
  const token = body.data?.signUp?.accessToken;
  if (!token) throw new Error(`sign-up for the benchmark failed: ${JSON.stringify(body.errors)}`);
  return token;
}
