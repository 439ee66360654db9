/**
 * A copy of a GraphQL result without `__typename`: Apollo Client 4 adds it to every selection set
 * (its cache needs it), while the contract's documents, and the expectations written from them, do not ask for it.
 */
export function withoutTypename<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (key, field: unknown) => (key === '__typename' ? undefined : field)) as T;
}
