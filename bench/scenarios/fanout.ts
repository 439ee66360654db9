import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { contractOperation, post, quantile, seedRace, type CommerceBenchTarget } from './commerce-fixtures';

export interface FanoutOptions {
  /** graphql-ws URL of the instance the dashboards watch (may differ from `graphqlUrl`'s, with Redis). */
  wsUrl: string;
  /** Subscribers, one socket each, all watching the same product. Default 1 000. */
  subscribers?: number;
  /** Stock changes made, one after the other. Default 20. */
  changes?: number;
}

export interface FanoutResult {
  subscribers: number;
  changes: number;
  /** Events that should have arrived (subscribers × changes) and those that did, in order and once. */
  expected: number;
  delivered: number;
  /** From the AdjustStock request to each subscriber's receipt of its event. */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
}

/**
 * Live stock fan-out: `subscribers` dashboards watch one product over graphql-ws while `changes` AdjustStock
 * calls are made. Measures the delay from the change's request to each delivery, and checks that every
 * subscriber got every version, in order, once.
 */
export async function runFanout(target: CommerceBenchTarget, options: FanoutOptions): Promise<FanoutResult> {
  const subscribers = options.subscribers ?? 1_000;
  const changes = options.changes ?? 20;
  const seed = await seedRace(target, { buyers: 0, units: 0 });
  const clients: WsClient[] = [];
  try {
    const liveStock = contractOperation('artisan', 'LiveStock');
    const adjust = contractOperation('artisan', 'AdjustStock');
    const received: number[][] = Array.from({ length: subscribers }, () => []);
    const receivedAt: number[][] = Array.from({ length: subscribers }, () => []);
    for (let i = 0; i < subscribers; i++) {
      const client = createClient({ url: options.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
      clients.push(client);
      client.subscribe(
        { query: liveStock, variables: { productIds: [seed.productId] } },
        {
          next: (value) => {
            const version = (value.data as { stockChanged?: { version: number } } | undefined)?.stockChanged?.version;
            if (version !== undefined) {
              received[i]!.push(version);
              receivedAt[i]!.push(performance.now());
            }
          },
          error: () => undefined,
          complete: () => undefined,
        },
      );
    }
    // Subscriptions have no acknowledgement: leave them a moment to start.
    await new Promise((resolve) => setTimeout(resolve, 1_000 + subscribers));
    const sentAt: number[] = [];
    for (let change = 0; change < changes; change++) {
      sentAt.push(performance.now());
      const body = await post(target.graphqlUrl, seed.artisanToken, adjust, { productId: seed.productId, delta: 1, reason: 'bench' });
      if (body.errors) throw new Error(`AdjustStock failed: ${JSON.stringify(body.errors)}`);
    }
    const deadline = performance.now() + 30_000;
    while (received.some((versions) => versions.length < changes) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    const latencies: number[] = [];
    let delivered = 0;
    received.forEach((versions, i) => {
      versions.forEach((version, k) => {
        if (version !== k + 1) return;
        delivered += 1;
        latencies.push(receivedAt[i]![k]! - sentAt[version - 1]!);
      });
    });
    return {
      subscribers,
      changes,
      expected: subscribers * changes,
      delivered,
      latencyMs: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99), max: Math.max(...latencies) },
    };
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await seed.close();
  }
}
