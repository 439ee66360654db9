import { useFragment, useMutation, useQuery } from '@apollo/client/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { describeError } from '../errors';
import { AdjustStockDocument, DashboardProductStockFragmentDoc, StockHistoryDocument } from '../generated/graphql';
import type { ListedProduct } from './stock-row';

const HISTORY_PAGE = 20;

/** The selected product: its level, the stock adjustment form (not for operators), and its stock ledger. */
export function ProductPanel({ product, readOnly, onClose }: { product: ListedProduct; readOnly: boolean; onClose(): void }) {
  const { data } = useFragment({ fragment: DashboardProductStockFragmentDoc, from: { __typename: 'Product', id: product.id } });
  return (
    <section className="card product-panel" aria-labelledby="product-title" data-testid="product-panel">
      <div className="section-head">
        <h2 id="product-title">{product.title}</h2>
        <button type="button" onClick={onClose} aria-label="Close the product">
          ×
        </button>
      </div>
      <p>
        Available: <strong data-testid="panel-available">{data?.available ?? '…'}</strong>
      </p>
      {!readOnly && <AdjustStockForm productId={product.id} />}
      <StockHistory productId={product.id} stockVersion={data?.stockVersion} />
    </section>
  );
}

function AdjustStockForm({ productId }: { productId: string }) {
  const [adjust, { loading }] = useMutation(AdjustStockDocument);
  const [message, setMessage] = useState<{ kind: 'error' | 'done'; text: string } | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const delta = Number(form.get('delta'));
    if (!Number.isInteger(delta) || delta === 0) {
      setMessage({ kind: 'error', text: 'The change must be a whole number of units, not zero: + to restock, − to write off.' });
      return;
    }
    try {
      const { data } = await adjust({ variables: { productId, delta, reason: String(form.get('reason')).trim() } });
      setMessage({ kind: 'done', text: `Done: ${data?.adjustStock.available} available.` });
      formElement.reset();
    } catch (failure) {
      setMessage({ kind: 'error', text: describeError(failure) });
    }
  };
  return (
    <form className="adjust" onSubmit={(event) => void submit(event)} aria-label="Adjust stock">
      <label>
        Change (units)
        <input name="delta" type="number" step={1} required placeholder="+10 or -2" data-testid="adjust-delta" />
      </label>
      <label>
        Reason
        <input name="reason" required maxLength={200} placeholder="restock from workshop" data-testid="adjust-reason" />
      </label>
      <button type="submit" disabled={loading}>
        Adjust stock
      </button>
      <p className={message?.kind === 'error' ? 'error' : 'done'} role="status" data-testid="adjust-message">
        {message?.text ?? ''}
      </p>
    </form>
  );
}

/** The ledger, newest first; refetched when the product's version moves (a new movement was written). */
function StockHistory({ productId, stockVersion }: { productId: string; stockVersion: number | undefined }) {
  const { data, error, fetchMore, refetch, loading } = useQuery(StockHistoryDocument, {
    variables: { productId, first: HISTORY_PAGE },
    fetchPolicy: 'network-only',
  });
  const shownVersion = useRef(stockVersion);
  useEffect(() => {
    if (stockVersion === shownVersion.current) return;
    shownVersion.current = stockVersion;
    void refetch().catch(() => undefined);
  }, [stockVersion, refetch]);
  const connection = data?.stockMovements;
  return (
    <div className="history">
      <h3>Stock history</h3>
      {error && (
        <p className="error" role="alert">
          {describeError(error)}
        </p>
      )}
      <ol className="history-list" data-testid="stock-history">
        {connection?.edges.map(({ node }) => (
          <li key={node.id}>
            <span className="num">{node.delta > 0 ? `+${node.delta}` : node.delta}</span> → {node.available} · {node.reason.toLowerCase().replace('_', ' ')}
            {node.note && <> · “{node.note}”</>}
            {node.orderNumber && <> · order {node.orderNumber}</>}
            {node.actor && <> · {node.actor.displayName}</>}
            <time dateTime={node.at}> · {new Date(node.at).toLocaleString()}</time>
          </li>
        ))}
      </ol>
      {connection?.pageInfo.hasNextPage && (
        <button
          type="button"
          disabled={loading}
          onClick={() =>
            void fetchMore({
              variables: { after: connection.pageInfo.endCursor },
              updateQuery: (previous, { fetchMoreResult }) => ({
                stockMovements: {
                  ...fetchMoreResult.stockMovements,
                  edges: [...(previous.stockMovements?.edges ?? []), ...fetchMoreResult.stockMovements.edges],
                },
              }),
            })
          }
        >
          Older movements
        </button>
      )}
    </div>
  );
}
