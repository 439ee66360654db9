import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import {
  Account,
  newId,
  parseForm,
  stripeError,
  type ApiResult,
  type FakeEvent,
  type FakePaymentIntent,
  type FakeRefund,
} from './fake-stripe/account';
import { Faults, type FaultStage, type PathFilter } from './fake-stripe/faults';
import { IdempotencyStore, type StoredResponse } from './fake-stripe/idempotency';
import { deliverEvent, type DeliveryOptions } from './fake-stripe/webhooks';

export type { FakeCharge, FakeEvent, FakePaymentIntent, FakeRefund } from './fake-stripe/account';
export type { FaultStage, PathFilter } from './fake-stripe/faults';
export type { DeliveryOptions, SignatureVariant } from './fake-stripe/webhooks';

export interface FakeStripeOptions {
  /** Where `deliver` posts events (the app's webhook route); `setWebhookUrl` sets or changes it later. */
  webhookUrl?: string;
}

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  /** The path without its query, e.g. `/v1/payment_intents`. */
  path: string;
  idempotencyKey: string | null;
  /** The status answered; null while held, or when it never was (dropped, or its client left first). */
  status: number | null;
  /** Answered from the idempotency store (`Idempotent-Replayed: true`). */
  replayed: boolean;
}

/**
 * A Stripe API and webhook sender on 127.0.0.1, for the real `stripe` SDK configured with
 * `{ host: '127.0.0.1', port: fake.port, protocol: 'http' }` and `fake.apiKey`. Only what our code relies
 * on is there: PaymentIntents (create, retrieve, cancel), refunds, idempotency keys, signed events.
 */
export interface FakeStripe {
  /** `http://127.0.0.1:<port>`; the port stays the same across `refuseConnections`/`acceptConnections`. */
  url: string;
  port: number;
  /** The account's secret key (`sk_test_…`); requests without it (or a `newApiKey()`) get 401. */
  apiKey: string;
  /** The webhook endpoint's signing secret (`whsec_…`), for `stripe.webhooks.constructEvent`. */
  webhookSecret: string;
  /** Another secret key of the same account: same objects, but idempotency keys of its own (they are scoped by API key). */
  newApiKey(): string;

  /** Every PaymentIntent created, oldest first, as it is now (copies). */
  paymentIntents(): FakePaymentIntent[];
  paymentIntent(id: string): FakePaymentIntent | undefined;
  /** Every refund created, oldest first (copies). */
  refunds(): FakeRefund[];
  /** Every event the account produced, oldest first, or only those of `type` (e.g. `charge.refunded`). */
  events(type?: string): FakeEvent[];
  /** Every request received, in order of arrival (copies). */
  requests(): RecordedRequest[];
  /** How many requests arrived for `'METHOD /path'`, e.g. `requestCount('POST /v1/payment_intents')`. */
  requestCount(route: string): number;

  /** The customer paid: status `succeeded` with a charge; returns `payment_intent.succeeded`. */
  succeed(intentId: string): FakeEvent;
  /** The payment was declined: back to `requires_payment_method` with `last_payment_error`; returns `payment_intent.payment_failed`. */
  fail(intentId: string): FakeEvent;
  /** The payment is under way (e.g. a bank debit): status `processing`; returns `payment_intent.processing`. */
  process(intentId: string): FakeEvent;

  /**
   * The next `count` requests (to `path` only, if given) answer 500 `api_error`. At `request` (default) it is
   * an outage before the API: nothing is stored, and a retry with the same key runs. At `execution` it is
   * the endpoint's own failure: stored under the idempotency key, replayed to retries, sent with
   * `Stripe-Should-Retry: false` as Stripe does, and nothing is created.
   */
  failNext(count: number, options?: { path?: PathFilter; at?: 'request' | 'execution' }): void;
  /**
   * Requests (the next `count`, default all until `release`; to `path` only, if given) get no answer until
   * `release()` or `stop()`. See `FaultStage` for `at` (default `request`: nothing done; a held request whose
   * client leaves is dropped; `response`: the work is done and stored, only the answer is held).
   */
  hang(options?: { path?: PathFilter; count?: number; at?: FaultStage }): void;
  /** Resolves once `count` (default 1) requests are held at the same time. */
  whenHung(count?: number): Promise<void>;
  /** Held requests go on (and are answered, if their client is still there); no more are held. */
  release(): void;
  /** Stops listening and closes every connection: connections are refused (ECONNREFUSED) until `acceptConnections`. */
  refuseConnections(): Promise<void>;
  /** Listens again, on the same port. */
  acceptConnections(): Promise<void>;

  setWebhookUrl(url: string): void;
  /**
   * POSTs `event` to the webhook URL, signed with `webhookSecret` unless `options.signature` says otherwise;
   * resolves with the status of each sending (0: the endpoint could not be reached).
   */
  deliver(event: FakeEvent, options?: DeliveryOptions): Promise<number[]>;
  /** Delivers `events` one after another in the order given (e.g. reversed); resolves with all their statuses in that order. */
  deliverInOrder(events: FakeEvent[], options?: DeliveryOptions): Promise<number[]>;

  /** Drops held requests, closes every connection (the SDK's keep-alive ones too) and stops listening. */
  stop(): Promise<void>;
}

/** Stripe's answer to a failure of its own. */
const apiError = (): ApiResult =>
  stripeError(500, 'api_error', 'Sorry, something went wrong. (A failure scripted by the fake Stripe.)');

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer (\S+)$/.exec(header ?? '');
  return match?.[1];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a fake Stripe on a free port of 127.0.0.1, with fresh keys and an empty account. */
export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const apiKey = newId('sk_test');
  const apiKeys = new Set([apiKey]);
  const webhookSecret = newId('whsec');
  let webhookUrl = options.webhookUrl;
  const account = new Account();
  const idempotency = new IdempotencyStore();
  const faults = new Faults();
  const log: RecordedRequest[] = [];

  const send = (res: ServerResponse, record: RecordedRequest, response: StoredResponse, replayed = false): void => {
    if (res.destroyed) return;
    record.status = response.status;
    record.replayed = replayed;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'request-id': newId('req'),
      'stripe-version': Stripe.API_VERSION,
      ...response.headers,
    };
    if (record.idempotencyKey) headers['idempotency-key'] = record.idempotencyKey;
    if (replayed) headers['idempotent-replayed'] = 'true';
    res.writeHead(response.status, headers).end(response.body);
  };
  const freeze = (result: ApiResult): StoredResponse => ({
    status: result.status,
    body: JSON.stringify(result.body),
    headers: result.headers ?? {},
  });

  // One request through the layers of Stripe's API; the comments name what each early return models.
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://fake-stripe');
    const path = url.pathname;
    const keyHeader = req.headers['idempotency-key'];
    // Keys on GET and DELETE do nothing.
    const idempotencyKey = method === 'POST' && typeof keyHeader === 'string' && keyHeader !== '' ? keyHeader : null;
    const record: RecordedRequest = { method, path, idempotencyKey, status: null, replayed: false };
    log.push(record);
    const body = await readBody(req);
    const answer = (result: ApiResult): void => send(res, record, freeze(result));
    // Not events.once: it would reject on an 'error' that nobody awaits.
    const clientGone = new Promise<void>((resolve) => res.once('close', () => resolve()));

    // At the edge, before the API: an outage stores nothing.
    const edge = faults.take('request', path);
    if (edge === 'fail') return answer(apiError());
    if (edge === 'hang' && !(await faults.hold(clientGone))) return;

    const givenKey = bearer(req.headers.authorization);
    if (!givenKey) {
      const message = 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.';
      return answer(stripeError(401, 'invalid_request_error', message));
    }
    if (!apiKeys.has(givenKey)) {
      return answer(stripeError(401, 'invalid_request_error', `Invalid API Key provided: ${givenKey.slice(0, 8)}***${givenKey.slice(-4)}`));
    }
    const route = account.route(method, path);
    if (!route) return answer(stripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}).`));
    const params = method === 'POST' ? parseForm(body) : parseForm(url.search.slice(1));

    const fingerprint = IdempotencyStore.fingerprint(method, path, body);
    if (idempotencyKey) {
      const found = idempotency.lookup(givenKey, idempotencyKey, fingerprint);
      if (found.kind === 'replay') return send(res, record, found.response, true);
      if (found.kind === 'conflict') return answer(found.result);
    }
    // Stripe stores results only once an endpoint starts executing: a request failing validation may be retried.
    const invalid = route.endpoint.check?.(params);
    if (invalid) return answer(invalid);
    if (idempotencyKey) idempotency.begin(givenKey, idempotencyKey, fingerprint);

    const inside = faults.take('execution', path);
    // A hang inside the endpoint ends only with release(): like Stripe, it finishes the work even if the client left.
    if (inside === 'hang' && !(await faults.hold())) return;
    // Stripe asks clients not to retry a 500 it stored: the retry would only get the replay.
    const result = inside === 'fail' ? { ...apiError(), headers: { 'stripe-should-retry': 'false' } } : route.endpoint.run(params, route.id);
    const response = freeze(result);
    if (idempotencyKey) idempotency.finish(givenKey, idempotencyKey, response);

    if (faults.take('response', path) === 'hang' && !(await faults.hold(clientGone))) return;
    send(res, record, response);
  };

  const server = createServer((req, res) => {
    // A client that goes away while its body is read makes readBody throw: nothing is left to answer.
    handle(req, res).catch(() => res.destroy());
  });
  const listen = async (port: number): Promise<number> => {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  };
  const close = async (): Promise<void> => {
    if (!server.listening) return;
    const closed = once(server, 'close');
    server.close();
    // close() alone would wait for the SDK's keep-alive sockets and for held requests.
    server.closeAllConnections();
    await closed;
  };

  const port = await listen(0);
  const copies = <T>(items: Iterable<T>): T[] => [...items].map((item) => structuredClone(item));
  const deliver = async (event: FakeEvent, deliveryOptions?: DeliveryOptions): Promise<number[]> => {
    if (!webhookUrl) throw new Error('fake Stripe: no webhook URL; pass webhookUrl to startFakeStripe or call setWebhookUrl');
    return deliverEvent(webhookUrl, webhookSecret, event, deliveryOptions);
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    apiKey,
    webhookSecret,
    newApiKey: () => {
      const key = newId('sk_test');
      apiKeys.add(key);
      return key;
    },
    paymentIntents: () => copies(account.intents.values()),
    paymentIntent: (id) => {
      const intent = account.intents.get(id);
      return intent && structuredClone(intent);
    },
    refunds: () => copies(account.refunds.values()),
    events: (type) => copies(account.events.filter((event) => type === undefined || event.type === type)),
    requests: () => copies(log),
    requestCount: (route) => log.filter((request) => `${request.method} ${request.path}` === route).length,
    succeed: (id) => account.succeed(id),
    fail: (id) => account.fail(id),
    process: (id) => account.process(id),
    failNext: (count, { path, at = 'request' } = {}) => faults.add('fail', at, count, path),
    hang: ({ path, count = Infinity, at = 'request' } = {}) => faults.add('hang', at, count, path),
    whenHung: (count = 1) => faults.whenHeld(count),
    release: () => faults.release(),
    refuseConnections: close,
    acceptConnections: async () => {
      if (!server.listening) await listen(port);
    },
    setWebhookUrl: (url) => {
      webhookUrl = url;
    },
    deliver,
    deliverInOrder: async (events, deliveryOptions) => {
      const statuses: number[] = [];
      for (const event of events) statuses.push(...(await deliver(event, deliveryOptions)));
      return statuses;
    },
    stop: async () => {
      faults.dropAll();
      await close();
    },
  };
}
