import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startFakeStripe, type FakeStripe } from '../../utils/fake-stripe';

type StripeError = InstanceType<typeof Stripe.errors.StripeError>;

/** The real SDK, configured as the app configures it, pointed at `fake`; no retries unless asked. */
function sdk(fake: FakeStripe, settings: { maxNetworkRetries?: number; timeout?: number; apiKey?: string } = {}): Stripe {
  const { apiKey = fake.apiKey, maxNetworkRetries = 0, timeout = 5_000 } = settings;
  return new Stripe(apiKey, { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries, timeout });
}

/** The error `promise` rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as StripeError;
  }
  throw new Error('expected a rejection');
}

const order = { amount: 4_200, currency: 'eur', metadata: { orderId: 'order-1' }, automatic_payment_methods: { enabled: true } };

let fake: FakeStripe;
beforeEach(async () => {
  fake = await startFakeStripe();
});
afterEach(async () => {
  await fake.stop();
});

describe('the fake Stripe API, through the real SDK', () => {
  it('should create, retrieve and cancel a PaymentIntent shaped like Stripe’s, from nested form parameters', async () => {
    const stripe = sdk(fake);
    const intent = await stripe.paymentIntents.create({ ...order, description: 'Two bowls' });
    expect(intent).toMatchObject({
      object: 'payment_intent',
      amount: 4_200,
      currency: 'eur',
      status: 'requires_payment_method',
      metadata: { orderId: 'order-1' },
      automatic_payment_methods: { enabled: true },
      description: 'Two bowls',
      latest_charge: null,
    });
    expect(intent.id).toMatch(/^pi_\w{24}$/);
    expect(intent.client_secret).toMatch(new RegExp(`^${intent.id}_secret_\\w+$`));
    expect(await stripe.paymentIntents.retrieve(intent.id)).toMatchObject({ id: intent.id, status: 'requires_payment_method' });
    expect(await stripe.paymentIntents.cancel(intent.id)).toMatchObject({ id: intent.id, status: 'canceled' });
    expect(fake.paymentIntent(intent.id)?.status).toBe('canceled');
  });

  it('should refuse a request without the account’s secret key with 401, which the SDK raises as StripeAuthenticationError', async () => {
    const error = await rejection(sdk(fake, { apiKey: 'sk_test_not-this-account' }).paymentIntents.create(order));
    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error.statusCode).toBe(401);
    expect(fake.paymentIntents()).toEqual([]);
  });

  it('should reject a non-positive or non-integer amount with 400 invalid_request_error, and store nothing under its key', async () => {
    const stripe = sdk(fake);
    for (const amount of [0, -5, 12.5]) {
      const error = await rejection(stripe.paymentIntents.create({ ...order, amount }, { idempotencyKey: 'checkout-1' }));
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError', param: 'amount' });
    }
    // Validation failures are not stored (Stripe stores results only once an endpoint executes).
    await stripe.paymentIntents.create(order, { idempotencyKey: 'checkout-1' });
    expect(fake.paymentIntents()).toHaveLength(1);
  });

  it('should refuse to cancel a PaymentIntent that succeeded', async () => {
    const stripe = sdk(fake);
    const intent = await stripe.paymentIntents.create(order);
    fake.succeed(intent.id);
    const error = await rejection(stripe.paymentIntents.cancel(intent.id));
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.code).toBe('payment_intent_unexpected_state');
  });
});

describe('idempotency keys', () => {
  it('should answer the same PaymentIntent for the same key and parameters, marked as replayed, and create only one', async () => {
    const stripe = sdk(fake);
    const first = await stripe.paymentIntents.create(order, { idempotencyKey: 'order-1-payment' });
    // The same parameters in another order are the same request.
    const reordered = { metadata: { orderId: 'order-1' }, automatic_payment_methods: { enabled: true }, currency: 'eur', amount: 4_200 };
    const again = await stripe.paymentIntents.create(reordered, { idempotencyKey: 'order-1-payment' });
    expect(again.id).toBe(first.id);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(fake.paymentIntents()).toHaveLength(1);
    expect(fake.requestCount('POST /v1/payment_intents')).toBe(2);
  });

  it('should replay the response as it was first sent, not the object as it is now', async () => {
    const stripe = sdk(fake);
    const first = await stripe.paymentIntents.create(order, { idempotencyKey: 'k' });
    fake.succeed(first.id);
    const again = await stripe.paymentIntents.create(order, { idempotencyKey: 'k' });
    expect(again.status).toBe('requires_payment_method');
  });

  it('should refuse the same key with other parameters, which the SDK raises as StripeIdempotencyError', async () => {
    const stripe = sdk(fake);
    await stripe.paymentIntents.create(order, { idempotencyKey: 'order-1-payment' });
    const error = await rejection(stripe.paymentIntents.create({ ...order, amount: 9_900 }, { idempotencyKey: 'order-1-payment' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(error.statusCode).toBe(400);
    expect(fake.paymentIntents()).toHaveLength(1);
  });

  it('should keep the keys of one API key apart from those of another', async () => {
    const first = await sdk(fake).paymentIntents.create(order, { idempotencyKey: 'shared' });
    const second = await sdk(fake, { apiKey: fake.newApiKey() }).paymentIntents.create(order, { idempotencyKey: 'shared' });
    expect(second.id).not.toBe(first.id);
  });

  it('should answer 409 idempotency_key_in_use while the first request with the key is executing, then replay it', async () => {
    fake.hang({ at: 'execution', count: 1 });
    const stripe = sdk(fake);
    const first = stripe.paymentIntents.create(order, { idempotencyKey: 'k' });
    await fake.whenHung();
    const error = await rejection(stripe.paymentIntents.create(order, { idempotencyKey: 'k' }));
    // A 409 is no 400: the SDK raises StripeAPIError whatever the type; it would have retried it by itself.
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(error).toMatchObject({ statusCode: 409, code: 'idempotency_key_in_use' });
    fake.release();
    const created = await first;
    expect((await stripe.paymentIntents.create(order, { idempotencyKey: 'k' })).id).toBe(created.id);
    expect(fake.paymentIntents()).toHaveLength(1);
  });
});

describe('outages', () => {
  it('should let the SDK’s own retry after a 500 outage reuse its key and create one PaymentIntent', async () => {
    fake.failNext(1, { path: '/v1/payment_intents' });
    const intent = await sdk(fake, { maxNetworkRetries: 1 }).paymentIntents.create(order);
    expect(fake.paymentIntents().map((created) => created.id)).toEqual([intent.id]);
    const [failed, retried] = fake.requests();
    expect(failed).toMatchObject({ status: 500, replayed: false });
    expect(retried).toMatchObject({ status: 200, idempotencyKey: failed?.idempotencyKey });
    expect(failed?.idempotencyKey).toMatch(/^stripe-node-retry-/);
  });

  it('should store a 500 that the endpoint produced and replay it for the key, creating nothing', async () => {
    fake.failNext(1, { at: 'execution' });
    const stripe = sdk(fake, { maxNetworkRetries: 2 });
    const error = await rejection(stripe.paymentIntents.create(order, { idempotencyKey: 'k' }));
    // `Stripe-Should-Retry: false` stops the SDK: one request, not three.
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(fake.requestCount('POST /v1/payment_intents')).toBe(1);
    const replayed = await rejection(stripe.paymentIntents.create(order, { idempotencyKey: 'k' }));
    expect(replayed).toMatchObject({ statusCode: 500, headers: expect.objectContaining({ 'idempotent-replayed': 'true' }) });
    expect(fake.paymentIntents()).toEqual([]);
  });

  it('should let a request held after the work time out in the SDK, and give the same PaymentIntent to a retry with the key', async () => {
    fake.hang({ at: 'response', count: 1 });
    const error = await rejection(sdk(fake, { timeout: 200 }).paymentIntents.create(order, { idempotencyKey: 'k' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(error.message).toMatch(/timeout/);
    const [created] = fake.paymentIntents();
    const retried = await sdk(fake).paymentIntents.create(order, { idempotencyKey: 'k' });
    expect(retried.id).toBe(created?.id);
    expect(fake.paymentIntents()).toHaveLength(1);
  });

  it('should let the SDK retry a timed-out request by itself, with the same key, and get the replay', async () => {
    fake.hang({ at: 'response', count: 1 });
    const intent = await sdk(fake, { maxNetworkRetries: 1, timeout: 300 }).paymentIntents.create(order);
    expect(fake.paymentIntents().map((created) => created.id)).toEqual([intent.id]);
    expect(fake.requests().map((request) => request.replayed)).toEqual([false, true]);
  });

  it('should do nothing for a request held before the API, so that a retry with the key after release creates one', async () => {
    fake.hang();
    const error = await rejection(sdk(fake, { timeout: 200 }).paymentIntents.create(order, { idempotencyKey: 'k' }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(fake.paymentIntents()).toEqual([]);
    fake.release();
    await sdk(fake).paymentIntents.create(order, { idempotencyKey: 'k' });
    expect(fake.paymentIntents()).toHaveLength(1);
  });

  it('should refuse connections, which the SDK raises as StripeConnectionError, and come back on the same port', async () => {
    const stripe = sdk(fake);
    await stripe.paymentIntents.create(order);
    await fake.refuseConnections();
    const error = await rejection(stripe.paymentIntents.create(order));
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(error.detail).toMatchObject({ code: 'ECONNREFUSED' });
    await fake.acceptConnections();
    await stripe.paymentIntents.create(order);
    expect(fake.paymentIntents()).toHaveLength(2);
  });

  it('should stop with requests still held, so that nothing keeps Jest waiting', async () => {
    fake.hang();
    const pending = rejection(sdk(fake).paymentIntents.create(order));
    await fake.whenHung();
    await fake.stop();
    expect(await pending).toBeInstanceOf(Stripe.errors.StripeConnectionError);
  });
});

describe('refunds', () => {
  it('should refund a succeeded PaymentIntent once per key and send charge.refunded', async () => {
    const stripe = sdk(fake);
    const intent = await stripe.paymentIntents.create(order);
    fake.succeed(intent.id);
    const refund = await stripe.refunds.create({ payment_intent: intent.id }, { idempotencyKey: 'refund-order-1' });
    expect(refund).toMatchObject({ object: 'refund', amount: 4_200, currency: 'eur', payment_intent: intent.id, status: 'succeeded' });
    expect((await stripe.refunds.create({ payment_intent: intent.id }, { idempotencyKey: 'refund-order-1' })).id).toBe(refund.id);
    expect(fake.refunds()).toHaveLength(1);
    const [refunded] = fake.events('charge.refunded');
    expect(refunded?.data.object).toMatchObject({
      object: 'charge',
      payment_intent: intent.id,
      amount: 4_200,
      amount_refunded: 4_200,
      refunded: true,
    });
  });

  it('should refuse to refund a PaymentIntent that has not succeeded, or one already fully refunded', async () => {
    const stripe = sdk(fake);
    const intent = await stripe.paymentIntents.create(order);
    expect(await rejection(stripe.refunds.create({ payment_intent: intent.id }))).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    fake.succeed(intent.id);
    await stripe.refunds.create({ payment_intent: intent.id, amount: 1_000 });
    await stripe.refunds.create({ payment_intent: intent.id });
    const error = await rejection(stripe.refunds.create({ payment_intent: intent.id }));
    expect(error).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });
    expect(fake.refunds().map((refund) => refund.amount)).toEqual([1_000, 3_200]);
  });
});

describe('payments and their events', () => {
  it('should move an intent as a payment would and return each event with a snapshot of that moment', async () => {
    const intent = await sdk(fake).paymentIntents.create(order);
    const processing = fake.process(intent.id);
    const failed = fake.fail(intent.id);
    const succeeded = fake.succeed(intent.id);
    expect([processing, failed, succeeded].map((event) => [event.type, event.data.object.status])).toEqual([
      ['payment_intent.processing', 'processing'],
      ['payment_intent.payment_failed', 'requires_payment_method'],
      ['payment_intent.succeeded', 'succeeded'],
    ]);
    expect(failed.data.object).toMatchObject({ last_payment_error: { code: 'card_declined' } });
    expect(succeeded).toMatchObject({ object: 'event', livemode: false, api_version: Stripe.API_VERSION });
    expect(succeeded.id).toMatch(/^evt_/);
    expect(fake.paymentIntent(intent.id)).toMatchObject({ status: 'succeeded', latest_charge: expect.stringMatching(/^ch_/) });
  });
});

describe('webhook delivery', () => {
  /** Each fake has its own secret; the receiver learns it from its URL, so one receiver serves every test. */
  const secretOf = (url: string | undefined): string => new URL(url ?? '/', 'http://receiver').searchParams.get('secret') ?? '';
  /** A webhook endpoint as the app's should be: it verifies the raw body and answers 400 when it cannot. */
  let receiver: Server;
  let received: Array<{ body: string; signature: string | undefined }>;
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const signature = req.headers['stripe-signature'] as string | undefined;
        received.push({ body, signature });
        try {
          Stripe.webhooks.constructEvent(body, signature ?? '', secretOf(req.url));
          res.writeHead(200).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
  });
  afterAll(async () => {
    receiver.close();
    await once(receiver, 'close');
  });
  beforeEach(() => {
    received = [];
    fake.setWebhookUrl(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/stripe?secret=${fake.webhookSecret}`);
  });

  async function paidEvent(): Promise<ReturnType<FakeStripe['succeed']>> {
    return fake.succeed((await sdk(fake).paymentIntents.create(order)).id);
  }

  it('should sign a delivery that stripe.webhooks.constructEvent accepts, with the raw event as body', async () => {
    const event = await paidEvent();
    expect(await fake.deliver(event)).toEqual([200]);
    const [delivery] = received;
    expect(JSON.parse(delivery?.body ?? '')).toEqual(event);
    expect(Stripe.webhooks.constructEvent(delivery?.body ?? '', delivery?.signature ?? '', fake.webhookSecret).id).toBe(event.id);
  });

  it('should make deliveries that constructEvent rejects: wrong secret, tampered body, stale timestamp, no signature', async () => {
    const event = await paidEvent();
    for (const signature of ['wrong-secret', 'tampered-body', 'stale-timestamp', 'none'] as const) {
      expect([signature, await fake.deliver(event, { signature })]).toEqual([signature, [400]]);
    }
    expect(received.map((delivery) => delivery.signature === undefined)).toEqual([false, false, false, true]);
  });

  it('should deliver duplicates of one event, one after another or at once', async () => {
    const event = await paidEvent();
    expect(await fake.deliver(event, { times: 2 })).toEqual([200, 200]);
    expect(await fake.deliver(event, { times: 3, concurrently: true })).toEqual([200, 200, 200]);
    expect(new Set(received.map((delivery) => JSON.parse(delivery.body).id))).toEqual(new Set([event.id]));
  });

  it('should deliver several events in the order given', async () => {
    const intent = await sdk(fake).paymentIntents.create(order);
    const events = [fake.process(intent.id), fake.succeed(intent.id)];
    expect(await fake.deliverInOrder([...events].reverse())).toEqual([200, 200]);
    expect(received.map((delivery) => JSON.parse(delivery.body).type)).toEqual(['payment_intent.succeeded', 'payment_intent.processing']);
  });

  it('should report 0 for an endpoint that cannot be reached', async () => {
    const event = await paidEvent();
    const closed = await startFakeStripe();
    await closed.stop();
    fake.setWebhookUrl(closed.url);
    expect(await fake.deliver(event)).toEqual([0]);
  });
});
