import { memo, useCallback, useMemo, useSyncExternalStore } from 'react';
import type { LiveStockHistory } from '../live-stock';
import { useStockLevels, type ProductStock } from '../stock-levels';
import { Sparkline } from './sparkline';

export interface ListedProduct {
  id: string;
  title: string;
  price: { amount: number; currency: string };
}

const REASONS: Record<string, string> = {
  SALE: 'sale',
  RESTOCK: 'restock',
  ADJUSTMENT: 'adjustment',
  RESERVATION_RELEASED: 'reservation released',
  CANCELLATION: 'cancellation',
};

interface RowOptions {
  history: LiveStockHistory;
  threshold: number;
  onSelect(id: string): void;
}

/**
 * The row group of a few products (a chunk of STOCK_CHUNK_SIZE): one cache watcher for them all (stock-levels.ts
 * says why), and each row memoised, so that an event re-renders its chunk's list and its own row only. Its height
 * is known before it is ever rendered (rows have a fixed height): the stylesheet skips the groups out of sight.
 */
export const StockRows = memo(function StockRows(props: RowOptions & { products: readonly ListedProduct[]; selectedId: string | null }) {
  const { products, selectedId, ...options } = props;
  const levels = useStockLevels(useMemo(() => products.map((product) => product.id), [products]));
  return (
    <tbody role="rowgroup" data-rows={products.length}>
      {products.map((product) => (
        <StockRow key={product.id} product={product} stock={levels.get(product.id)} selected={product.id === selectedId} {...options} />
      ))}
    </tbody>
  );
});

/**
 * One product's row: its level from the cache (handed by its chunk), its own history (the session's events), so
 * that an event re-renders this row only. Fixed cell widths: nothing moves when numbers change.
 */
const StockRow = memo(function StockRow(props: RowOptions & { product: ListedProduct; stock: ProductStock | undefined; selected: boolean }) {
  const { product, stock, history, threshold, selected, onSelect } = props;
  const subscribe = useCallback((listener: () => void) => history.subscribe(product.id, listener), [history, product.id]);
  const trace = useSyncExternalStore(subscribe, () => history.get(product.id));
  const available = stock?.available;
  const level = available === undefined ? '' : available === 0 ? 'out' : available <= threshold ? 'low' : '';
  return (
    <tr role="row" className={`${level} ${selected ? 'selected' : ''}`} data-product-id={product.id}>
      <th scope="row" role="rowheader">
        <button type="button" className="link" onClick={() => onSelect(product.id)} aria-pressed={selected}>
          {product.title}
        </button>
        {level === 'out' && <span className="tag tag-out">out of stock</span>}
        {level === 'low' && <span className="tag tag-low">low</span>}
      </th>
      <td role="cell" className="num">
        {/* The key restarts the highlight animation with each event. */}
        <span key={trace.changes} className={trace.changes ? 'flash' : ''} data-testid="available">
          {available ?? '…'}
        </span>
      </td>
      <td role="cell" className="last-change" data-testid="last-change">
        {trace.last ? `${trace.last.delta > 0 ? '+' : ''}${trace.last.delta} · ${REASONS[trace.last.reason] ?? trace.last.reason}` : ''}
      </td>
      <td role="cell">
        <Sparkline levels={trace.levels} label={`${product.title}: levels this session`} />
      </td>
    </tr>
  );
});
