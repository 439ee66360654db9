import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createShop, type TestShop } from '../../fixtures/shops';
import { LogInDocument } from '../../generated/graphql';
import { codesOf, sendAs } from '../../utils/operations';
import { wsClient } from '../../utils/clients';
import { liveStock } from '../../utils/live-stock';
import { placeOrder } from '../../utils/payments';
import { startTestServer, type TestServer } from '../../utils/test-server';

/** The value of one sample of /metrics, or undefined when absent. */
function sample(metrics: string, series: string): number | undefined {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the metrics an operator reads', () => {
  let server: TestServer;
  let shop: TestShop;

  beforeAll(async () => {
    // No worker: the jobs a checkout adds stay in the queue, to be counted.
    server = await startTestServer({ RUN_WORKER: 'false' });
    shop = await createShop(server);
  });
  afterAll(() => server?.close());

  it('should count WebSockets, subscriptions by topic, live deliveries and their lag, checkouts, payments, the queue and the pool', async () => {
    const ws = wsClient(server.wsUrl);
    try {
      const placed = await placeOrder(server, shop, { stock: 5 });
      const { sub } = await liveStock(ws, { productIds: [placed.productId] }, { graphqlUrl: server.graphqlUrl, ownerToken: shop.owner.token, productId: placed.productId });
      expect(sub.data.length).toBeGreaterThan(0);

      const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
      expect(sample(metrics, 'atelier_websocket_connections')).toBe(1);
      expect(sample(metrics, 'atelier_live_subscriptions{topic="stockChanged"}')).toBe(1);
      expect(sample(metrics, 'atelier_live_events_delivered_total{topic="stock"}')).toBe(sub.data.length);
      expect(sample(metrics, 'atelier_live_event_lag_seconds_count{topic="stock"}')).toBe(sub.data.length);
      expect(sample(metrics, 'atelier_checkouts_total{outcome="ok"}')).toBe(1);
      expect(sample(metrics, 'atelier_payments{status="REQUIRES_PAYMENT"}')).toBe(1);
      expect(sample(metrics, 'atelier_job_queue_jobs{task="expire_order",state="queued"}')).toBe(1);
      expect(sample(metrics, 'atelier_job_queue_jobs{task="expire_order",state="failed"}')).toBe(0);
      expect(sample(metrics, 'atelier_db_pool_connections{state="waiting"}')).toBe(0);
      expect(sample(metrics, 'atelier_db_pool_connections{state="used"}')).toBeGreaterThanOrEqual(0);
      expect(sample(metrics, 'atelier_payment_circuit_open')).toBe(0);
    } finally {
      await ws.dispose();
    }
  });

  it('should count rate-limit refusals by transport and webhook deliveries by result', async () => {
    // Five failed log-ins of one account from one address, then the pair is refused (RATE_LIMITED).
    const email = `nobody-${Date.now()}@metrics.test`;
    const codes: unknown[] = [];
    for (let attempt = 0; attempt < 6; attempt++) codes.push(...codesOf(await sendAs(server.graphqlUrl, undefined, LogInDocument, { email, password: 'not-the-password' })));
    expect(codes.at(-1)).toBe('RATE_LIMITED');
    // A webhook without a valid signature is rejected.
    const webhook = await fetch(`${server.baseUrl}/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(webhook.status).toBe(400);

    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(sample(metrics, 'atelier_rate_limit_refusals_total{transport="http"}')).toBe(codes.filter((code) => code === 'RATE_LIMITED').length);
    expect(sample(metrics, 'atelier_stripe_webhooks_total{result="rejected"}')).toBe(1);
  });
});
