import { useApolloClient, useSubscription } from '@apollo/client/react';
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ConnectionStatus } from '../connection';
import { describeError } from '../errors';
import { LiveStockDocument, ShopBySlugDocument, type ShopBySlugQuery } from '../generated/graphql';
import { LiveStockHistory } from '../live-stock';
import { STOCK_CHUNK_SIZE } from '../stock-levels';
import { ProductPanel } from './product-panel';
import { StockRows, type ListedProduct } from './stock-row';

/** Products per page of the initial load (the contract's cap). */
const PAGE_SIZE = 100;
const THRESHOLD_KEY = 'atelier.dashboard.lowStockThreshold';
/** Default low-stock threshold: a level at or under it stands out. */
const DEFAULT_THRESHOLD = 5;

interface LoadedShop {
  id: string;
  name: string;
  currency: string;
  products: ListedProduct[];
}

/**
 * The shop's live stock: every product (ShopBySlug, page by page), then each `stockChanged` event of the shop
 * (LiveStock with shopId). Levels come from Apollo's cache, which the event's `product` field updates; the
 * history of the session (last change, sparkline) from LiveStockHistory. A reconnect or a version gap refetches.
 */
export function StockPanel({ slug, readOnly, connection }: { slug: string; readOnly: boolean; connection: ConnectionStatus }) {
  const client = useApolloClient();
  const [history] = useState(() => new LiveStockHistory());
  const [shop, setShop] = useState<LoadedShop | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [threshold, setThreshold] = useState(() => Number(localStorage.getItem(THRESHOLD_KEY) ?? DEFAULT_THRESHOLD));
  const loading = useRef<Promise<void> | null>(null);
  // The same chunks as long as the products are the same (a refetch that changes nothing keeps them).
  const chunks = useMemo(() => chunksOf(shop?.products ?? [], STOCK_CHUNK_SIZE), [shop?.products]);

  const load = useCallback((): Promise<void> => {
    loading.current ??= (async () => {
      try {
        const products: ListedProduct[] = [];
        let after: string | null = null;
        let found: Omit<LoadedShop, 'products'> | null = null;
        do {
          const result: { data?: ShopBySlugQuery } = await client.query({
            query: ShopBySlugDocument,
            variables: { slug, productsFirst: PAGE_SIZE, productsAfter: after },
            fetchPolicy: 'network-only',
          });
          const page: ShopBySlugQuery['shop'] = result.data?.shop ?? null;
          if (!page) throw new Error(`No shop has the address “${slug}”.`);
          found = { id: page.id, name: page.name, currency: page.currency };
          for (const { node } of page.products.edges) products.push({ id: node.id, title: node.title, price: node.price });
          history.seed(page.products.edges.map(({ node }) => node));
          after = page.products.pageInfo.hasNextPage ? page.products.pageInfo.endCursor ?? null : null;
        } while (after);
        const loaded = found;
        // A transition: React renders the first 500 rows in slices of a few ms instead of one long frame. A refetch
        // (reconnect, version gap) keeps the objects of unchanged products, so their memoised rows skip it.
        startTransition(() => setShop((shown) => sameShop(shown, loaded, products)));
        setError(null);
      } catch (failure) {
        setError(describeError(failure));
      } finally {
        loading.current = null;
      }
    })();
    return loading.current;
  }, [client, slug, history]);

  useEffect(() => void load(), [load]);
  useEffect(() => connection.onResync(() => void load()), [connection, load]);

  useSubscription(LiveStockDocument, {
    variables: { shopId: shop?.id },
    skip: !shop,
    ignoreResults: true,
    onData: ({ data }) => {
      const event = data.data?.stockChanged;
      if (event && history.apply(event) === 'gap') connection.resync('version-gap');
    },
  });

  const changeThreshold = (value: number) => {
    setThreshold(value);
    localStorage.setItem(THRESHOLD_KEY, String(value));
  };

  return (
    <>
      <section className="card stock" aria-labelledby="stock-title">
        <div className="section-head">
          <h2 id="stock-title">{shop ? `Stock of ${shop.name}` : 'Stock'}</h2>
          <label className="threshold">
            Low stock at or under
            <input
              type="number"
              min={0}
              value={threshold}
              onChange={(event) => changeThreshold(Math.max(0, Number(event.target.value) || 0))}
              data-testid="low-stock-threshold"
            />
          </label>
          {readOnly && <span className="tag">read-only</span>}
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {!shop && !error && <p aria-busy="true">Loading products…</p>}
        {shop && (
          <div className="table-scroll">
            {/* Explicit roles: the stylesheet lays the table out as a grid (see .stock-table), which must not cost its semantics. */}
            <table className="stock-table" role="table">
              <caption className="visually-hidden">Products and their available units, updated live</caption>
              <thead role="rowgroup">
                <tr role="row">
                  <th scope="col" role="columnheader">
                    Product
                  </th>
                  <th scope="col" role="columnheader" className="num">
                    Available
                  </th>
                  <th scope="col" role="columnheader">
                    Last change
                  </th>
                  <th scope="col" role="columnheader">
                    This session
                  </th>
                </tr>
              </thead>
              {/* One row group per chunk of products: each is skipped as a whole while out of sight (see .stock-table tbody). */}
              {chunks.map((products) => (
                <StockRows
                  key={products[0]!.id}
                  products={products}
                  history={history}
                  threshold={threshold}
                  selectedId={selected}
                  onSelect={setSelected}
                />
              ))}
            </table>
          </div>
        )}
      </section>
      {shop && selected && (
        <ProductPanel
          key={selected}
          product={shop.products.find((p) => p.id === selected)!}
          readOnly={readOnly}
          onClose={() => setSelected(null)}
        />
      )}
    </>
  );
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * The shop as loaded, reusing what is shown wherever nothing changed: each unchanged product keeps its object (its
 * memoised row does not render again), and an unchanged shop keeps its state (nothing renders).
 */
function sameShop(shown: LoadedShop | null, loaded: Omit<LoadedShop, 'products'>, products: ListedProduct[]): LoadedShop {
  if (!shown) return { ...loaded, products };
  const byId = new Map(shown.products.map((product) => [product.id, product]));
  const reused = products.map((product) => {
    const before = byId.get(product.id);
    const unchanged =
      before && before.title === product.title && before.price.amount === product.price.amount && before.price.currency === product.price.currency;
    return unchanged ? before : product;
  });
  const sameProducts = reused.length === shown.products.length && reused.every((product, i) => product === shown.products[i]);
  if (sameProducts && shown.id === loaded.id && shown.name === loaded.name && shown.currency === loaded.currency) return shown;
  return { ...loaded, products: sameProducts ? shown.products : reused };
}
