import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createShop, type TestShop } from '../../fixtures/shops';
import { startFakeStripe, type FakeEvent, type FakeStripe } from '../../utils/fake-stripe';
import { fakeStripeEnv, paymentEventsOf, paymentView, placeOrder, providerReferenceOf, type PlacedOrder } from '../../utils/payments';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

/**
 * PROCESSING and FAILED replace each other only for a newer event. These go through the webhook endpoint, the
 * queue and the real database, where the stored event time comes back from raw SQL as text: comparing it with the
 * new event's Date once made every such comparison false, and a failure after a processing event was ignored.
 */
describe('payment events that replace PROCESSING and FAILED, in order and out of order', () => {
  let fake: FakeStripe;
  let server: TestServer;
  let shop: TestShop;

  beforeAll(async () => {
    fake = await startFakeStripe();
    server = await startTestServer(fakeStripeEnv(fake, { STRIPE_TIMEOUT_MS: '2000' }));
    fake.setWebhookUrl(`${server.baseUrl}/webhooks/stripe`);
    shop = await createShop(server);
  });
  afterAll(async () => {
    await server?.close();
    await fake?.stop();
  });

  const intentOf = async (placed: PlacedOrder) => (await providerReferenceOf(server, placed.order.id))!;
  /** The same event as if Stripe had created it `seconds` after `event` (Stripe's `created` is in whole seconds). */
  const createdAfter = (event: FakeEvent, base: FakeEvent, seconds: number): FakeEvent => ({ ...event, created: base.created + seconds });
  /** Delivers `events` one after the other, each once applied (or ignored) before the next is sent. */
  const deliverApplied = async (intentId: string, events: FakeEvent[]) => {
    for (const [index, event] of events.entries()) {
      expect(await fake.deliver(event)).toEqual([200]);
      await waitFor(async () => {
        const recorded = await paymentEventsOf(server, intentId);
        return recorded.filter((row) => row.processed_at && row.type !== 'payment_intent.created').length >= index + 1;
      }, 10_000, `event ${index + 1} to be applied`);
    }
    return (await paymentEventsOf(server, intentId)).filter((row) => row.type !== 'payment_intent.created');
  };

  type Happening = 'processing' | 'failed';
  const emit = (intentId: string, happening: Happening) => (happening === 'processing' ? fake.process(intentId) : fake.fail(intentId));
  // [what, the older event, the newer (4 s later), the order of delivery, the outcomes in that order, the order and payment after]
  it.each([
    ['a failure 4 s after a processing event makes the order PAYMENT_FAILED', 'processing', 'failed', 'in order',
      ['applied: payment PROCESSING', 'applied: payment FAILED, order PAYMENT_FAILED'], ['PAYMENT_FAILED', 'FAILED']],
    ['a processing event after a failure (the buyer tries again) makes the payment PROCESSING', 'failed', 'processing', 'in order',
      ['applied: payment FAILED, order PAYMENT_FAILED', 'applied: payment PROCESSING'], ['PAYMENT_FAILED', 'PROCESSING']],
    ['a processing event delivered after a newer failure is ignored', 'processing', 'failed', 'newest first',
      ['applied: payment FAILED, order PAYMENT_FAILED', 'ignored'], ['PAYMENT_FAILED', 'FAILED']],
    ['a failure delivered after a newer processing event is ignored', 'failed', 'processing', 'newest first',
      ['applied: payment PROCESSING', 'ignored'], ['PENDING_PAYMENT', 'PROCESSING']],
  ] as const)('%s', async (_what, older, newer, delivery, outcomes, [orderStatus, paymentStatus]) => {
    const placed = await placeOrder(server, shop);
    const intentId = await intentOf(placed);
    const first = emit(intentId, older);
    const second = createdAfter(emit(intentId, newer), first, 4);
    const events = await deliverApplied(intentId, delivery === 'in order' ? [first, second] : [second, first]);
    expect(events.map((event) => (event.outcome?.startsWith('ignored') ? 'ignored' : event.outcome))).toEqual(outcomes);
    expect(await paymentView(server, placed)).toMatchObject({ status: orderStatus, payment: { status: paymentStatus } });
  });

  it('should apply a failure made in the same second as the processing event it follows', async () => {
    // Stripe's `created` has whole seconds: an equal time cannot say which came first, and a failure is not undone by it.
    const placed = await placeOrder(server, shop);
    const intentId = await intentOf(placed);
    const processing = fake.process(intentId);
    const failed = { ...fake.fail(intentId), created: processing.created };
    await deliverApplied(intentId, [processing, failed]);
    expect(await paymentView(server, placed)).toMatchObject({ status: 'PAYMENT_FAILED', payment: { status: 'FAILED' } });
  });
});
