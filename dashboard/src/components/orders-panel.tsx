import { useMutation, useQuery, useSubscription } from '@apollo/client/react';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ConnectionStatus } from '../connection';
import { describeError } from '../errors';
import { FulfilOrderDocument, ShopOrderUpdatesDocument, ShopOrdersDocument, type OrderStatus, type ShopOrdersQuery } from '../generated/graphql';
import { formatMoney } from '../money';
import { serialRefetch } from '../serial-refetch';

const PAGE_SIZE = 20;
const STATUSES: OrderStatus[] = ['PENDING_PAYMENT', 'PAID', 'FULFILLED', 'CANCELLED', 'EXPIRED', 'PAYMENT_FAILED'];

type ShopOrderNode = NonNullable<NonNullable<ShopOrdersQuery['me']>['shop']>['orders'] extends infer C
  ? C extends { edges: readonly { node: infer N }[] }
    ? N
    : never
  : never;

function statusLabel(status: string): string {
  return status.toLowerCase().replace('_', ' ');
}

/**
 * The shop's orders, newest first (ShopOrders: filter by status, pages of 20), kept live by ShopOrderUpdates: a
 * status change lands in the cache by itself (the order is normalised); an order the list does not hold yet
 * refetches the first page, or says so on a later page. Refetches run one at a time (serialRefetch), so that an
 * answer older than an event never has the last word.
 */
export function OrdersPanel({ connection }: { connection: ConnectionStatus }) {
  const [status, setStatus] = useState<OrderStatus | ''>('');
  // Cursors of the pages before the current one: "Newer" pops, "Older" pushes.
  const [cursors, setCursors] = useState<(string | null)[]>([]);
  const after = cursors.length ? cursors[cursors.length - 1] : null;
  const [newOrders, setNewOrders] = useState(0);
  const { data, error, refetch, loading } = useQuery(ShopOrdersDocument, {
    variables: { first: PAGE_SIZE, after, status: status || null },
    fetchPolicy: 'cache-and-network',
  });
  const orders = data?.me?.shop?.orders;
  // The last page and refetch rendered, for the handlers below (which may run before the next render).
  const ordersShown = useRef(orders);
  ordersShown.current = orders;
  const latestRefetch = useRef(refetch);
  latestRefetch.current = refetch;
  const orderList = useMemo(() => serialRefetch(() => latestRefetch.current()), []);

  useEffect(() => connection.onResync(orderList.refetch), [connection, orderList]);

  useSubscription(ShopOrderUpdatesDocument, {
    ignoreResults: true,
    onData: ({ data: event }) => {
      const update = event.data?.shopOrderUpdated;
      if (!update) return;
      // A change of an order the page holds lands in the cache by itself (the order is normalised); a refetch in
      // flight, whose older answer would overwrite it, is followed by one more.
      if (ordersShown.current?.edges.some(({ node }) => node.order.id === update.order.id)) {
        orderList.refetchIfInFlight();
        return;
      }
      if (after === null) orderList.refetch();
      else setNewOrders((n) => n + 1);
    },
  });

  const firstPage = () => {
    setCursors([]);
    setNewOrders(0);
  };

  return (
    <section className="card orders" aria-labelledby="orders-title">
      <div className="section-head">
        <h2 id="orders-title">Orders</h2>
        <label>
          Status
          <select
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as OrderStatus | '');
              firstPage();
            }}
            data-testid="order-status-filter"
          >
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
        {newOrders > 0 && (
          <button type="button" onClick={firstPage}>
            {newOrders} new — show the newest
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {describeError(error)}
        </p>
      )}
      {!orders && loading && <p aria-busy="true">Loading orders…</p>}
      {orders && orders.edges.length === 0 && <p>No orders{status ? ` ${statusLabel(status)}` : ''} yet.</p>}
      <ul className="order-list" data-testid="orders">
        {orders?.edges.map(({ node }) => <OrderItem key={node.order.id} node={node} />)}
      </ul>
      <nav className="pager" aria-label="Order pages">
        <button type="button" disabled={!cursors.length} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          disabled={!orders?.pageInfo.hasNextPage}
          onClick={() => setCursors((c) => [...c, orders?.pageInfo.endCursor ?? null])}
        >
          Older
        </button>
      </nav>
    </section>
  );
}

function OrderItem({ node }: { node: ShopOrderNode }) {
  const address = node.shippingAddress;
  return (
    <li className="order" data-order-number={node.order.number}>
      <div className="order-head">
        <strong>Order {node.order.number}</strong>
        <span className={`status status-${node.order.status}`} data-testid="order-status">
          {statusLabel(node.order.status)}
        </span>
        <span>{formatMoney(node.subtotal)}</span>
        <time dateTime={node.order.createdAt}>{new Date(node.order.createdAt).toLocaleString()}</time>
      </div>
      <p className="order-lines">
        {node.lines.map((line) => `${line.quantity} × ${line.product.title}`).join(', ')} — for {node.buyer?.displayName ?? 'a buyer'}
      </p>
      {address && (
        <p className="address">
          {[address.name, address.line1, address.line2, `${address.postalCode} ${address.city}`, address.country].filter(Boolean).join(', ')}
        </p>
      )}
      {node.shipment ? (
        <p className="shipment">
          Shipped with {node.shipment.carrier}, tracking {node.shipment.trackingNumber}
        </p>
      ) : (
        node.order.status === 'PAID' && <ShipForm orderId={node.order.id} />
      )}
    </li>
  );
}

function ShipForm({ orderId }: { orderId: string }) {
  const [fulfil, { loading }] = useMutation(FulfilOrderDocument, { refetchQueries: [ShopOrdersDocument] });
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    try {
      setError(null);
      await fulfil({ variables: { orderId, input: { carrier: String(form.get('carrier')).trim(), trackingNumber: String(form.get('trackingNumber')).trim() } } });
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  return (
    <form className="ship" onSubmit={(event) => void submit(event)} aria-label="Ship this order">
      <label>
        Carrier
        <input name="carrier" required maxLength={100} data-testid="ship-carrier" />
      </label>
      <label>
        Tracking number
        <input name="trackingNumber" required maxLength={100} data-testid="ship-tracking" />
      </label>
      <button type="submit" disabled={loading}>
        Ship
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
