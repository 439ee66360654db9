import { useFragment } from '@apollo/client/react';
import { memo, useCallback, useSyncExternalStore } from 'react';
import { DashboardProductStockFragmentDoc } from '../generated/graphql';
import type { LiveStockHistory } from '../live-stock';
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

/**
 * One product's row. It watches its own product in the cache (useFragment) and its own history, so an event
 * re-renders this row only. Fixed cell widths: nothing moves when numbers change.
 */
export const StockRow = memo(function StockRow(props: {
  product: ListedProduct;
  history: LiveStockHistory;
  threshold: number;
  selected: boolean;
  onSelect(id: string): void;
}) {
  const { product, history, threshold, selected, onSelect } = props;
  const { data } = useFragment({ fragment: DashboardProductStockFragmentDoc, from: { __typename: 'Product', id: product.id } });
  const subscribe = useCallback((listener: () => void) => history.subscribe(product.id, listener), [history, product.id]);
  const trace = useSyncExternalStore(subscribe, () => history.get(product.id));
  const available = data?.available;
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
