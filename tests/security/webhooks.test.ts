import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { runSql } from '../../src/shared/sql';
import { createShop, type TestShop } from '../fixtures/shops';
import { startFakeStripe, type FakeEvent, type FakeStripe } from '../utils/fake-stripe';
import { signedDelivery } from '../utils/fake-stripe/webhooks';
import { fakeStripeEnv, paymentEventsOf, paymentView, placeOrder, providerReferenceOf, type PlacedOrder } from '../utils/payments';
import { startTestServer, type TestServer } from '../utils/test-server';
import { waitFor } from '../utils/wait';

/**
 * `POST /webhooks/stripe` as an attacker would try it against a production server: events it signed itself, real
 * events it changed, captured deliveries sent again later. HTTP only: webhooks have no WebSocket path.
 */
describe('forged and replayed Stripe webhooks (production)', () => {
  let fake: FakeStripe;
  let server: TestServer;
  let shop: TestShop;
  let webhookUrl: string;

  beforeAll(async () => {
    fake = await startFakeStripe();
    server = await startTestServer({ NODE_ENV: 'production', ...fakeStripeEnv(fake) });
    webhookUrl = `${server.baseUrl}/webhooks/stripe`;
    fake.setWebhookUrl(webhookUrl);
    shop = await createShop(server);
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
  });

  /** A new order and the `payment_intent.succeeded` event that would pay it, not yet delivered. */
  async function orderWithSuccess(): Promise<{ placed: PlacedOrder; event: FakeEvent }> {
    const placed = await placeOrder(server, shop);
    return { placed, event: fake.succeed((await providerReferenceOf(server, placed.order.id))!) };
  }

  const post = (body: string, headers: Record<string, string>) => fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  /** Nothing of `event` was recorded and its order still awaits payment. */
  async function expectUntouched(placed: PlacedOrder, event: FakeEvent): Promise<void> {
    expect(await paymentEventsOf(server, event.data.object.id as string)).toEqual([]);
    expect(await paymentView(server, placed)).toMatchObject({ status: 'PENDING_PAYMENT', payment: { status: 'REQUIRES_PAYMENT' } });
  }

  it('should refuse with 400 an event without a signature, signed with another secret, or changed after signing', async () => {
    const { placed, event } = await orderWithSuccess();
    for (const signature of ['none', 'wrong-secret', 'tampered-body'] as const) {
      expect({ signature, statuses: await fake.deliver(event, { signature }) }).toEqual({ signature, statuses: [400] });
    }
    await expectUntouched(placed, event);
  });

  it('should refuse with 400 a signature of a scheme other than v1, and one whose v1 is not hex of the right length', async () => {
    const { placed, event } = await orderWithSuccess();
    const { body, headers } = signedDelivery(event, fake.webhookSecret, 'valid');
    const header = headers['stripe-signature']!;
    const timestamp = /t=(\d+)/.exec(header)![1];
    const v1 = /v1=([0-9a-f]+)/.exec(header)![1]!;
    for (const forged of [`t=${timestamp},v0=${v1}`, `t=${timestamp},v1=${v1.slice(0, -2)}`, `t=${timestamp}`, 'garbage']) {
      expect({ forged, status: (await post(body, { 'stripe-signature': forged })).status }).toEqual({ forged, status: 400 });
    }
    await expectUntouched(placed, event);
  });

  it('should refuse with 400 a captured delivery sent again an hour later, and a signature dated in the future', async () => {
    const { placed, event } = await orderWithSuccess();
    expect(await fake.deliver(event, { signature: 'stale-timestamp' })).toEqual([400]);
    const body = JSON.stringify(event);
    const aheadOfTime = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: fake.webhookSecret, timestamp: Math.floor(Date.now() / 1000) + 3_600 });
    expect((await post(body, { 'stripe-signature': aheadOfTime })).status).toBe(400);
    await expectUntouched(placed, event);
  });

  it('should apply a valid event once: the same delivery replayed within the tolerance answers 200 as a duplicate and changes nothing', async () => {
    const { placed, event } = await orderWithSuccess();
    const { body, headers } = signedDelivery(event, fake.webhookSecret, 'valid');
    const first = await post(body, headers);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    await waitFor(async () => (await paymentView(server, placed)).status === 'PAID', 10_000, 'the order to be PAID');

    // The very same bytes and signature, as a man in the middle would resend them, and Stripe's own retries.
    const replays = await Promise.all([post(body, headers), post(body, headers)]);
    expect(replays.map((response) => response.status)).toEqual([200, 200]);
    expect(await Promise.all(replays.map((response) => response.json()))).toEqual([
      { received: true, duplicate: true },
      { received: true, duplicate: true },
    ]);
    expect((await paymentEventsOf(server, event.data.object.id as string)).map((row) => row.outcome)).toEqual(['applied: payment SUCCEEDED, order PAID']);
    expect(await paymentView(server, placed)).toMatchObject({ status: 'PAID', payment: { status: 'SUCCEEDED' } });
  });

  it("should store a signed event without the payer's details it carries, and apply it", async () => {
    const placed = await placeOrder(server, shop);
    const declined = fake.fail((await providerReferenceOf(server, placed.order.id))!);
    const payer = { name: 'Ana Lima', email: 'ana.lima@example.test', phone: '+33 6 11 22 33 44', address: { line1: '12 rue des Potiers', city: 'Lyon', postal_code: '69001', country: 'FR' } };
    // What Stripe adds when the storefront's payment form collects billing details and the endpoint expands them.
    const event = {
      ...declined,
      data: { object: { ...declined.data.object, receipt_email: payer.email, last_payment_error: { code: 'card_declined', payment_method: { id: 'pm_1', billing_details: payer } } } },
    };
    const { body, headers } = signedDelivery(event as FakeEvent, fake.webhookSecret, 'valid');
    expect((await post(body, headers)).status).toBe(200);
    await waitFor(async () => (await paymentEventsOf(server, event.data.object.id as string)).some((row) => row.id === event.id && row.processed_at !== null), 10_000, 'the event to be applied');
    const [stored] = await runSql<{ payload: string }>(server.database.orm.em.fork(), 'select payload::text as payload from payment_event where id = ?', [event.id]);
    for (const part of [payer.name, payer.email, payer.phone, payer.address.line1]) expect(stored!.payload).not.toContain(part);
    expect(JSON.parse(stored!.payload)).toMatchObject({ id: event.id, type: 'payment_intent.payment_failed', data: { object: { id: event.data.object.id, receipt_email: null } } });
  });

  it('should refuse with 400 a correctly signed body that is not a Stripe event, and record nothing', async () => {
    const { placed, event } = await orderWithSuccess();
    const notEvents = [
      { ...event, data: { object: null } },
      { ...event, data: { object: [event.data.object] } },
      { ...event, created: String(event.created) },
      { ...event, id: undefined },
    ];
    for (const body of notEvents.map((notEvent) => JSON.stringify(notEvent))) {
      const response = await post(body, { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: fake.webhookSecret }) });
      expect({ body, status: response.status, answer: await response.json() }).toEqual({ body, status: 400, answer: { error: 'Not a Stripe event' } });
    }
    await expectUntouched(placed, event);
  });
});
