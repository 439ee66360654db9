import { createHash } from 'node:crypto';
import { HeaderMap, type ApolloServerPlugin, type BaseContext, type GraphQLRequestContext } from '@apollo/server';
import { Kind, OperationTypeNode, type OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../../infra/metrics';
import type { CatalogVersion } from '../../modules/catalog/catalog-version';

/** Root fields whose answer is the same for every anonymous caller, and changes only by a write that bumps the `CatalogVersion`. */
export const PUBLIC_CATALOG_FIELDS: ReadonlySet<string> = new Set(['products', 'product', 'shop', 'shops', 'categories', '__typename']);

/** The response header that says whether the cache answered: `HIT`, or `MISS` for a cacheable request it could not. */
export const CACHE_STATUS_HEADER = 'x-cache';

export interface PublicResponseCacheOptions {
  /** Changes of the catalogue, local and heard from other instances. */
  version: CatalogVersion;
  /** Longest life of an answer, whatever the version, in seconds: it bounds staleness when a message is lost. */
  ttlSeconds: number;
  /** Answers kept at most. Default 1,000. */
  maxEntries?: number;
  /** Serialised answers kept at most, in bytes (approximately: characters). Default 50 MB. */
  maxBytes?: number;
  /** Larger answers are not kept, so that one cannot evict the rest. Default 5 MB. */
  maxEntryBytes?: number;
  metrics?: Metrics;
}

/** Apollo's cache policy of an answer when it is cacheable (`maxAge` and `scope`), else null. */
type StoredCachePolicy = ReturnType<GraphQLRequestContext<BaseContext>['overallCachePolicy']['policyIfCacheable']>;

interface Entry {
  /** The catalogue version read when the request that produced the answer started. */
  version: number;
  /** The result (`data`, and `extensions` if any) as JSON. */
  body: string;
  /**
   * Apollo's cache policy of the answer (its hints), restored on a hit so that `Cache-Control` says the same. No
   * `Age` goes with it: an entry is served only while no catalogue write has happened since it was stored, so it is
   * as fresh as a new execution would be.
   */
  policy: StoredCachePolicy;
}

/**
 * Serves repeated anonymous catalogue reads from memory. The storefront's `Catalog` costs ~10 ms of CPU to execute
 * (hydration, an exact count, GC); the same answer from here costs about what `{ __typename }` does.
 *
 * What is cached: HTTP requests without an `Authorization` header, whose operation is a query whose root fields are
 * all public catalogue fields ({@link PUBLIC_CATALOG_FIELDS}, at least one besides `__typename`: executing
 * `{ __typename }` costs no more than a lookup), and whose result has no error. An anonymous caller's answer does
 * not depend on who asks (shield refuses private fields with an error, and errors are never cached); any token,
 * even an invalid one, bypasses the cache, so that a bearer never gets a shared answer nor fills one. Fragments at
 * the root are not inspected: such operations are executed, never cached. Over WebSocket nothing is cached
 * (Apollo plugins do not run there).
 *
 * Key: Apollo's `queryHash` (SHA-256 of the query text as sent), the operation name and the variables as JSON with
 * sorted keys. The text is not re-printed to normalise it: a storefront sends the same text each time, and
 * printing the document on every request, hits included, would cost more than it saves.
 *
 * Freshness: every entry carries the {@link CatalogVersion} read when its request started, and is served only while
 * that is still the current version, and for `ttlSeconds` at most. The version is bumped only after a write commits
 * (`catalogChanged` on the writer, the relayed notification everywhere: `followCatalogChanges`), so a read that overlapped a write is never served again: it was tagged with the version
 * before the bump. Lookups happen in `responseForOperation`, after parsing and validation (query limits still
 * apply) and before execution; answers are stored in `willSendResponse`.
 */
export function publicResponseCachePlugin(options: PublicResponseCacheOptions): ApolloServerPlugin {
  const { version, metrics } = options;
  const cache = new LRUCache<string, Entry>({
    max: options.maxEntries ?? 1_000,
    maxSize: options.maxBytes ?? 50_000_000,
    maxEntrySize: options.maxEntryBytes ?? 5_000_000,
    sizeCalculation: (entry, key) => entry.body.length + key.length,
    ttl: options.ttlSeconds * 1_000,
  });

  return {
    async requestDidStart({ request }) {
      if (!request.http || request.http.headers.has('authorization')) return;
      const versionAtStart = version.value;
      let key: string | undefined;
      let hit = false;
      return {
        async responseForOperation({ operation, queryHash, overallCachePolicy }) {
          if (!queryHash || !isPublicCatalogRead(operation)) return null;
          // The key's JSON walk recurses: a deeply nested (unused) variable once answered HTTP 500 here. No
          // catalogue variable nests deeper than a filter object; such a request is executed, never cached.
          if (nestedDeeperThan(request.variables, MAX_KEY_DEPTH)) return null;
          key = cacheKey(queryHash, request.operationName, request.variables);
          const entry = cache.get(key);
          if (!entry || entry.version !== version.value) {
            metrics?.publicResponseCache.inc({ result: 'miss' });
            return null;
          }
          hit = true;
          metrics?.publicResponseCache.inc({ result: 'hit' });
          if (entry.policy) overallCachePolicy.replace(entry.policy);
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: JSON.parse(entry.body) } };
        },
        async willSendResponse({ response, overallCachePolicy }) {
          if (key === undefined) return;
          response.http.headers.set(CACHE_STATUS_HEADER, hit ? 'HIT' : 'MISS');
          if (hit || response.body.kind !== 'single' || response.body.singleResult.errors?.length) return;
          if (response.http.status !== undefined && response.http.status !== 200) return;
          // A write committed while this request ran: its answer may predate it, and would never be served.
          if (version.value !== versionAtStart) return;
          cache.set(key, {
            version: versionAtStart,
            body: JSON.stringify(response.body.singleResult),
            policy: overallCachePolicy.policyIfCacheable(),
          });
        },
      };
    },
  };
}

/** Levels of nesting of variables that the cache key takes. */
const MAX_KEY_DEPTH = 8;

/** Whether `value` nests objects or arrays more than `max` levels deep; iterative, so it never overflows the stack. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

function isPublicCatalogRead(operation: OperationDefinitionNode | undefined): boolean {
  if (operation?.operation !== OperationTypeNode.QUERY) return false;
  let catalogue = false;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || !PUBLIC_CATALOG_FIELDS.has(selection.name.value)) return false;
    if (selection.name.value !== '__typename') catalogue = true;
  }
  return catalogue;
}

function cacheKey(queryHash: string, operationName: string | undefined, variables: Record<string, unknown> | undefined): string {
  return createHash('sha256')
    .update(queryHash)
    .update('\0')
    .update(operationName ?? '')
    .update('\0')
    .update(sortedJson(variables ?? {}))
    .digest('base64url');
}

/** JSON with the keys of every object sorted: `{ a, b }` and `{ b, a }` are one key. */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}
