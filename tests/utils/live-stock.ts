import type { Client as WsClient } from 'graphql-ws';
import { AdjustStockDocument, LiveStockDocument, type LiveStockSubscription, type LiveStockSubscriptionVariables } from '../generated/graphql';
import { dataOf, sendAs } from './operations';
import { collect, type Collected } from './subscriptions';
import { waitFor } from './wait';

export type StockEvent = LiveStockSubscription['stockChanged'];

/**
 * A LiveStock subscription that is known to be live. graphql-ws has no "subscribed" acknowledgement, so the
 * owner restocks `probeProductId` by one unit (every 100 ms) until an event for it arrives: from that event on, every
 * change must arrive. Then one closing restock, whose event comes after every earlier one (a product's events arrive
 * in version order): resolves once it has arrived, with the subscription and the probe's last version.
 */
export async function liveStock(
  ws: WsClient,
  variables: LiveStockSubscriptionVariables,
  probe: { graphqlUrl: string; ownerToken: string; productId: string },
): Promise<{ sub: Collected<LiveStockSubscription>; probeVersion: number }> {
  const sub = collect(ws, LiveStockDocument, variables);
  const probeEvents = () => eventsOf(sub, probe.productId);
  const restock = async () =>
    dataOf(await sendAs(probe.graphqlUrl, probe.ownerToken, AdjustStockDocument, { productId: probe.productId, delta: 1, reason: 'probe' })).adjustStock.available;
  await waitFor(
    async () => {
      if (probeEvents().length) return true;
      if (sub.completed) throw new Error(`the subscription ended: ${JSON.stringify(sub.results)}`);
      await restock();
      return false;
    },
    10_000,
    'the LiveStock subscription to be live',
    100,
  );
  // Earlier restocks may have events still on their way; they arrive before the closing one's.
  const closing = await restock();
  await waitFor(() => probeEvents().some((event) => event.available === closing), 5_000, 'the closing probe event');
  return { sub, probeVersion: Math.max(...probeEvents().map((event) => event.version)) };
}

/** The events of one product, in arrival order. */
export function eventsOf(sub: Collected<LiveStockSubscription>, productId: string): StockEvent[] {
  return sub.data.map((data) => data.stockChanged).filter((event) => event.productId === productId);
}
