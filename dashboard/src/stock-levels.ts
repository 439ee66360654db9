import type { ApolloCache, FieldPolicy, Reference } from '@apollo/client';
import { useApolloClient } from '@apollo/client/react';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DocumentNode } from 'graphql';
import { useMemo, useSyncExternalStore } from 'react';
import { DashboardProductStockFragmentDoc, type DashboardProductStockFragment } from './generated/graphql';

/**
 * Products per watcher of the stock table's levels (the last one may hold fewer).
 *
 * Why chunks and not one watcher per row: after every write, Apollo's cache checks each of its watchers (a cache
 * key per watcher, even an untouched one), then re-reads the watchers that a write touched. With one watcher per
 * row, each delivery of events checked 500 of them, 4 to 8 ms a delivery on our 2-core machine, three quarters of
 * the delivery's work. With chunks of 25, a delivery checks 20 watchers and re-reads the few chunks its events
 * touched (25 products each, of which the unchanged ones come from the cache's result cache): about 2.5 times less
 * work than rows (measured in Node with 500 products, 5 events a delivery). Much larger chunks (a page of 100)
 * re-read too much per event, much smaller ones have too many watchers to check.
 */
export const STOCK_CHUNK_SIZE = 25;

/** A product's stock as the cache holds it (partly, while a field is not in it yet). */
export type ProductStock = Partial<DashboardProductStockFragment>;

/** The name of the local field that reads products by id from the cache (never sent to the server). */
const STOCK_LEVELS_FIELD = 'dashboardStockLevels';

/**
 * The cache's read of `dashboardStockLevels(ids)`: a redirect to the normalised `Product` objects of those ids
 * (Apollo's "cache redirect" pattern, for a list). It lives in InMemoryCache's `typePolicies.Query.fields`.
 */
export const stockLevelsFieldPolicy: FieldPolicy<Reference[]> = {
  read: (_existing, { args, toReference }) =>
    ((args?.ids as string[] | undefined) ?? []).map((id) => toReference({ __typename: 'Product', id })!),
};

/**
 * `query DashboardStockLevels($ids: [ID!]!) { dashboardStockLevels(ids: $ids) @client { ...DashboardProductStock } }`:
 * a local query, only ever read from the cache (`cache.watch`, `cache.diff`), never sent: its field is not the
 * server's (the dashboard sends only the contract's operations). Written as its syntax tree, as codegen writes the
 * others, because codegen validates against the server's schema and because parsing it in the page would bring a
 * GraphQL parser into the bundle.
 */
export const StockLevelsDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'DashboardStockLevels' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'ids' } },
          type: { kind: 'NonNullType', type: { kind: 'ListType', type: { kind: 'NonNullType', type: { kind: 'NamedType', name: { kind: 'Name', value: 'ID' } } } } },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: STOCK_LEVELS_FIELD },
            arguments: [{ kind: 'Argument', name: { kind: 'Name', value: 'ids' }, value: { kind: 'Variable', name: { kind: 'Name', value: 'ids' } } }],
            directives: [{ kind: 'Directive', name: { kind: 'Name', value: 'client' } }],
            selectionSet: { kind: 'SelectionSet', selections: [{ kind: 'FragmentSpread', name: { kind: 'Name', value: 'DashboardProductStock' } }] },
          },
        ],
      },
    },
    ...DashboardProductStockFragmentDoc.definitions,
  ],
} as unknown as TypedDocumentNode<{ [STOCK_LEVELS_FIELD]: ProductStock[] }, { ids: string[] }> & DocumentNode;

const NO_LEVELS: readonly ProductStock[] = [];

/**
 * The stock of the products `ids` from Apollo's cache, by product id (a product the cache does not hold yet is
 * absent), with one cache watcher for all of them: a write that changes one re-renders the caller, which hands each
 * row its product's object; the unchanged ones keep theirs, so their memoised rows skip the render.
 */
export function useStockLevels(ids: readonly string[]): ReadonlyMap<string, ProductStock> {
  const { cache } = useApolloClient();
  // By content: a refetch that keeps the products keeps the watcher.
  const key = ids.join(',');
  const store = useMemo(() => stockLevelsStore(cache, key ? key.split(',') : []), [cache, key]);
  const levels = useSyncExternalStore(store.subscribe, store.read);
  // By id, not by position: the cache leaves products it does not hold out of the list.
  return useMemo(() => new Map(levels.flatMap((stock) => (stock.id ? [[stock.id, stock] as const] : []))), [levels]);
}

/**
 * The external store of one chunk's levels for useSyncExternalStore: the cache's watcher gives each new result,
 * kept until the next (React reads it several times per change); without one yet, a read of the cache (memoised
 * by the cache: the same array until one of these products changes).
 */
function stockLevelsStore(cache: ApolloCache, ids: string[]) {
  const options = { query: StockLevelsDocument, variables: { ids }, optimistic: true, returnPartialData: true } as const;
  const levelsOf = (result: { [STOCK_LEVELS_FIELD]?: ProductStock[] } | null | undefined) => result?.[STOCK_LEVELS_FIELD] ?? NO_LEVELS;
  let latest: readonly ProductStock[] | undefined;
  return {
    subscribe: (onChange: () => void) => {
      // What was read before the watcher existed may be stale: read the cache again (React reads right after this).
      latest = undefined;
      const stop = cache.watch({
        ...options,
        callback: (diff) => {
          latest = levelsOf(diff.result);
          onChange();
        },
      });
      return () => {
        stop();
        latest = undefined;
      };
    },
    read: (): readonly ProductStock[] => (latest ??= levelsOf(cache.diff<{ [STOCK_LEVELS_FIELD]: ProductStock[] }>(options).result)),
  };
}
