import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/**
 * The Stripe account behind the fake: its objects, the API endpoints that change them and the events those
 * changes make. It knows no HTTP (the server in `../fake-stripe.ts` does), so every answer is an `ApiResult`.
 */

/** What an endpoint answers: an HTTP status, a JSON body and any headers of its own. */
export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Stripe's error types in API v1; the SDK picks its error class from the status first (see `Error.js`). */
export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

/** An error in Stripe's shape: `{ error: { type, code?, param?, message } }`. */
export function stripeError(
  status: number,
  type: StripeErrorType,
  message: string,
  details: { code?: string; param?: string } = {},
): ApiResult {
  return { status, body: { error: { type, ...details, message } } };
}

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` random letters and digits. */
export function randomText(length: number): string {
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

/** A Stripe-like id (`pi_` and 24 random characters): random, so ids never collide across fakes or test files. */
export function newId(prefix: string): string {
  return `${prefix}_${randomText(24)}`;
}

/** A form body decoded into nested objects: `metadata[orderId]=7` becomes `{ metadata: { orderId: '7' } }`. */
export interface FormParams {
  [name: string]: string | FormParams;
}

/** Decodes a body as the SDK encodes it (`application/x-www-form-urlencoded`, bracketed nested keys). */
export function parseForm(body: string): FormParams {
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const [head = '', ...rest] = name.split('[');
    const path = [head, ...rest.map((part) => part.replace(/\]$/, ''))];
    let node = params;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = typeof next === 'object' ? next : (node[key] = {});
    }
    node[path[path.length - 1] ?? ''] = value;
  }
  return params;
}

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'succeeded'
  | 'canceled';

/** The fields of a Stripe PaymentIntent that the fake keeps. */
export interface FakePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: PaymentIntentStatus;
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
  automatic_payment_methods: { enabled: boolean } | null;
  latest_charge: string | null;
  last_payment_error: { type: 'card_error'; code: string; decline_code: string; message: string } | null;
  canceled_at: number | null;
  created: number;
  livemode: false;
}

/** The charge a PaymentIntent makes when it succeeds; refunds are counted on it, as on Stripe. */
export interface FakeCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_refunded: number;
  currency: string;
  payment_intent: string;
  refunded: boolean;
  paid: true;
  status: 'succeeded';
  metadata: Record<string, string>;
  created: number;
  livemode: false;
}

export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  payment_intent: string;
  charge: string;
  status: 'succeeded';
  reason: string | null;
  metadata: Record<string, string>;
  created: number;
}

/** A Stripe Event (API v1, a snapshot event): `data.object` is the object as it was when the event happened. */
export interface FakeEvent {
  id: string;
  object: 'event';
  type: string;
  created: number;
  livemode: false;
  api_version: string;
  data: { object: FakePaymentIntent | FakeCharge };
}

const unixNow = (): number => Math.floor(Date.now() / 1000);

function stringMap(value: string | FormParams | undefined): Record<string, string> {
  if (typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** A 400 `invalid_request_error`, the answer to most mistakes. */
function badRequest(message: string, details: { code?: string; param?: string } = {}): ApiResult {
  return stripeError(400, 'invalid_request_error', message, details);
}

/** Stripe's check of an amount in the smallest currency unit: a positive integer, else a 400 not worth storing. */
function invalidAmount(value: string | FormParams | undefined, required: boolean): ApiResult | undefined {
  const param = 'amount';
  if (value === undefined) return required ? badRequest('Missing required param: amount.', { code: 'parameter_missing', param }) : undefined;
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) {
    return badRequest(`Invalid integer: ${String(value)}`, { code: 'parameter_invalid_integer', param });
  }
  if (Number(value) < 1) return badRequest('This value must be greater than or equal to 1.', { code: 'parameter_invalid_integer', param });
  return undefined;
}

function missing(kind: string, id: string, param: string): ApiResult {
  return stripeError(404, 'invalid_request_error', `No such ${kind}: '${id}'`, { code: 'resource_missing', param });
}

/** One endpoint: `check` is the validation Stripe does before executing, whose failures are never stored under an idempotency key. */
export interface Endpoint {
  check?(params: FormParams): ApiResult | undefined;
  run(params: FormParams, id: string): ApiResult;
}

/** The objects of one test account and what the API and a real payment can do to them. */
export class Account {
  readonly intents = new Map<string, FakePaymentIntent>();
  readonly charges = new Map<string, FakeCharge>();
  readonly refunds = new Map<string, FakeRefund>();
  readonly events: FakeEvent[] = [];

  /** Finds the endpoint for `METHOD /path`; `id` is the object id in the path, if any. */
  route(method: string, path: string): { endpoint: Endpoint; id: string } | undefined {
    if (method === 'POST' && path === '/v1/payment_intents') return { endpoint: this.createIntent, id: '' };
    if (method === 'POST' && path === '/v1/refunds') return { endpoint: this.createRefund, id: '' };
    const intent = /^\/v1\/payment_intents\/([^/]+)(\/cancel)?$/.exec(path);
    if (intent?.[1] && method === 'GET' && !intent[2]) return { endpoint: this.retrieveIntent, id: decodeURIComponent(intent[1]) };
    if (intent?.[1] && method === 'POST' && intent[2]) return { endpoint: this.cancelIntent, id: decodeURIComponent(intent[1]) };
    return undefined;
  }

  private readonly createIntent: Endpoint = {
    check: (params) => {
      const currency = params.currency;
      if (typeof currency !== 'string' || !/^[a-zA-Z]{3}$/.test(currency)) {
        return badRequest('Missing required param: currency.', { code: 'parameter_missing', param: 'currency' });
      }
      return invalidAmount(params.amount, true);
    },
    run: (params) => {
      const id = newId('pi');
      const methods = params.automatic_payment_methods;
      const intent: FakePaymentIntent = {
        id,
        object: 'payment_intent',
        amount: Number(params.amount),
        amount_received: 0,
        currency: String(params.currency).toLowerCase(),
        status: 'requires_payment_method',
        client_secret: `${id}_secret_${randomText(25)}`,
        description: typeof params.description === 'string' ? params.description : null,
        metadata: stringMap(params.metadata),
        automatic_payment_methods: typeof methods === 'object' ? { enabled: methods.enabled === 'true' } : null,
        latest_charge: null,
        last_payment_error: null,
        canceled_at: null,
        created: unixNow(),
        livemode: false,
      };
      this.intents.set(id, intent);
      this.emit('payment_intent.created', intent);
      return { status: 200, body: intent };
    },
  };

  private readonly retrieveIntent: Endpoint = {
    run: (_params, id) => {
      const intent = this.intents.get(id);
      return intent ? { status: 200, body: intent } : missing('payment_intent', id, 'intent');
    },
  };

  private readonly cancelIntent: Endpoint = {
    run: (_params, id) => {
      const intent = this.intents.get(id);
      if (!intent) return missing('payment_intent', id, 'intent');
      if (intent.status === 'succeeded' || intent.status === 'canceled') {
        return stripeError(
          400,
          'invalid_request_error',
          `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.`,
          { code: 'payment_intent_unexpected_state' },
        );
      }
      intent.status = 'canceled';
      intent.canceled_at = unixNow();
      this.emit('payment_intent.canceled', intent);
      return { status: 200, body: intent };
    },
  };

  private readonly createRefund: Endpoint = {
    check: (params) => {
      if (typeof params.payment_intent !== 'string') {
        return badRequest('One of the following params should be provided for this request: payment_intent or charge.', {
          code: 'parameter_missing',
          param: 'payment_intent',
        });
      }
      return invalidAmount(params.amount, false);
    },
    run: (params) => {
      const intentId = String(params.payment_intent);
      const intent = this.intents.get(intentId);
      if (!intent) return missing('payment_intent', intentId, 'payment_intent');
      const charge = intent.latest_charge ? this.charges.get(intent.latest_charge) : undefined;
      if (intent.status !== 'succeeded' || !charge) {
        return badRequest(`This PaymentIntent (${intentId}) does not have a successful charge to refund.`, {
          code: 'payment_intent_unexpected_state',
          param: 'payment_intent',
        });
      }
      const refundable = charge.amount - charge.amount_refunded;
      if (refundable === 0) {
        return badRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
      }
      const amount = params.amount === undefined ? refundable : Number(params.amount);
      if (amount > refundable) {
        return badRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${refundable})`, {
          code: 'amount_too_large',
          param: 'amount',
        });
      }
      const refund: FakeRefund = {
        id: newId('re'),
        object: 'refund',
        amount,
        currency: charge.currency,
        payment_intent: intentId,
        charge: charge.id,
        status: 'succeeded',
        reason: typeof params.reason === 'string' ? params.reason : null,
        metadata: stringMap(params.metadata),
        created: unixNow(),
      };
      this.refunds.set(refund.id, refund);
      charge.amount_refunded += amount;
      // As on Stripe, `refunded` means fully refunded; a partial refund sends `charge.refunded` too.
      charge.refunded = charge.amount_refunded === charge.amount;
      this.emit('charge.refunded', charge);
      return { status: 200, body: refund };
    },
  };

  /** The customer paid: the intent succeeds with a charge. Throws if the intent could not succeed (a broken test). */
  succeed(intentId: string): FakeEvent {
    const intent = this.payable(intentId, 'succeed');
    const charge: FakeCharge = {
      id: newId('ch'),
      object: 'charge',
      amount: intent.amount,
      amount_refunded: 0,
      currency: intent.currency,
      payment_intent: intent.id,
      refunded: false,
      paid: true,
      status: 'succeeded',
      metadata: { ...intent.metadata },
      created: unixNow(),
      livemode: false,
    };
    this.charges.set(charge.id, charge);
    Object.assign(intent, { status: 'succeeded', amount_received: intent.amount, latest_charge: charge.id, last_payment_error: null });
    return this.emit('payment_intent.succeeded', intent);
  }

  /** The payment was declined: the intent goes back to `requires_payment_method` with `last_payment_error`. */
  fail(intentId: string): FakeEvent {
    const intent = this.payable(intentId, 'fail');
    intent.status = 'requires_payment_method';
    intent.last_payment_error = {
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
    };
    return this.emit('payment_intent.payment_failed', intent);
  }

  /** The payment method is slow (e.g. a bank debit): the intent is `processing` until it succeeds or fails. */
  process(intentId: string): FakeEvent {
    const intent = this.payable(intentId, 'process');
    if (intent.status === 'processing') throw new Error(`fake Stripe: ${intentId} is already processing`);
    intent.status = 'processing';
    return this.emit('payment_intent.processing', intent);
  }

  private payable(intentId: string, what: string): FakePaymentIntent {
    const intent = this.intents.get(intentId);
    if (!intent) throw new Error(`fake Stripe: no PaymentIntent ${intentId} to ${what}`);
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      throw new Error(`fake Stripe: cannot ${what} ${intentId}, it is ${intent.status}`);
    }
    return intent;
  }

  private emit(type: string, object: FakePaymentIntent | FakeCharge): FakeEvent {
    const event: FakeEvent = {
      id: newId('evt'),
      object: 'event',
      type,
      created: unixNow(),
      livemode: false,
      api_version: Stripe.API_VERSION,
      data: { object: structuredClone(object) },
    };
    this.events.push(event);
    return event;
  }
}
