/**
 * The cache hints of the public catalogue, in seconds, as the types and fields use them. CDNs and browsers may
 * serve an anonymous catalogue answer that long without asking: a change is seen there after at most that time
 * (the server's own response cache is invalidated at once). Stock moves fastest, and storefronts get it live
 * anyway (`stockChanged`).
 */
export const CACHE_MAX_AGE = {
  /** Categories: changed by hand, rarely. */
  categories: 300,
  /** Shops, products and the public profile of their artisans. */
  catalogue: 60,
  /** `Product.available` and `stockVersion`. */
  stock: 10,
} as const;

/**
 * The SDL of an Apollo cache hint, for type-graphql's `@Directive` on a type or field:
 * `@Directive(cacheHint({ maxAge: CACHE_MAX_AGE.catalogue }))`. The directive is declared by `src/graphql/cache-control.ts`.
 */
export function cacheHint(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE'; inheritMaxAge?: true }): string {
  const args = [
    hint.maxAge !== undefined ? `maxAge: ${hint.maxAge}` : null,
    hint.scope ? `scope: ${hint.scope}` : null,
    hint.inheritMaxAge ? 'inheritMaxAge: true' : null,
  ].filter((arg) => arg !== null);
  return `@cacheControl(${args.join(', ')})`;
}
