import type { Client as WsClient } from 'graphql-ws';
import { AdjustStockDocument, LiveStockDocument, type LiveStockSubscription, type LiveStockSubscriptionVariables } from '../generated/graphql';
import { dataOf, sendAs } from './operations';
import { collect, type Collected } from './subscriptions';
import { waitFor } from './wait';

export type StockEvent = LiveStockSubscription['stockChanged'];

/**
 * A LiveStock subscription that is known to be live. graphql-ws has no "subscribed" acknowledgement, so the
 * owner restocks `probeProductId` by one unit until an event for it arrives: from that event on, every
 * change must arrive. Returns the subscription and the probe's last version.
 */
export async function liveStock(
  ws: WsClient,
  variables: LiveStockSubscriptionVariables,
  probe: { graphqlUrl: string; ownerToken: string; productId: string },
): Promise<{ sub: Collected<LiveStockSubscription>; probeVersion: number }> {
  const sub = collect(ws, LiveStockDocument, variables);
  const probeEvent = () => sub.data.find((data) => data.stockChanged.productId === probe.productId)?.stockChanged;
  await waitFor(
    async () => {
      if (probeEvent()) return true;
      if (sub.completed) throw new Error(`the subscription ended: ${JSON.stringify(sub.results)}`);
      dataOf(await sendAs(probe.graphqlUrl, probe.ownerToken, AdjustStockDocument, { productId: probe.productId, delta: 1, reason: 'probe' }));
      await new Promise((resolve) => setTimeout(resolve, 100));
      return Boolean(probeEvent());
    },
    10_000,
    'the LiveStock subscription to be live',
    0,
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  const probeVersions = sub.data.filter((data) => data.stockChanged.productId === probe.productId).map((data) => data.stockChanged.version);
  return { sub, probeVersion: Math.max(...probeVersions) };
}

/** The events of one product, in arrival order. */
export function eventsOf(sub: Collected<LiveStockSubscription>, productId: string): StockEvent[] {
  return sub.data.map((data) => data.stockChanged).filter((event) => event.productId === productId);
}
