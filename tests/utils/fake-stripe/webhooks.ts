import { request } from 'node:http';
import Stripe from 'stripe';
import { newId, type FakeEvent } from './account';

/**
 * How a delivery is signed:
 * - `valid`: as Stripe signs it, with the fake's `whsec_…` and the current time;
 * - `wrong-secret`: with another endpoint's secret;
 * - `tampered-body`: the signature of the real body over a body whose amount was raised after signing;
 * - `stale-timestamp`: a valid signature made an hour ago, beyond the SDK's 300 s tolerance (a replayed capture);
 * - `none`: no `Stripe-Signature` header at all.
 */
export type SignatureVariant = 'valid' | 'wrong-secret' | 'tampered-body' | 'stale-timestamp' | 'none';

/** How to deliver one event. */
export interface DeliveryOptions {
  /** How many times to send the same event (same id), as Stripe does when it retries or duplicates. Default 1. */
  times?: number;
  /** Wait this long before each sending (before all of them, with `concurrently`). Default 0. */
  delayMs?: number;
  /** Send the `times` copies at once instead of one after another. Default false. */
  concurrently?: boolean;
  /** Default `valid`. */
  signature?: SignatureVariant;
  /** Give up on an endpoint that has not answered within this time; the status is then 0. Default 10 000. */
  timeoutMs?: number;
}

const staleSeconds = 3600;

/** The body and headers of one delivery of `event`, signed as `variant` says. */
export function signedDelivery(
  event: FakeEvent,
  secret: string,
  variant: SignatureVariant,
): { body: string; headers: Record<string, string> } {
  const payload = JSON.stringify(event, null, 2);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
  };
  if (variant === 'none') return { body: payload, headers };
  const now = Math.floor(Date.now() / 1000);
  const signWith = variant === 'wrong-secret' ? newId('whsec') : secret;
  const timestamp = variant === 'stale-timestamp' ? now - staleSeconds : now;
  headers['stripe-signature'] = Stripe.webhooks.generateTestHeaderString({ payload, secret: signWith, timestamp });
  if (variant !== 'tampered-body') return { body: payload, headers };
  const object = event.data.object;
  const tampered = { ...event, data: { object: { ...object, amount: object.amount + 100 } } };
  return { body: JSON.stringify(tampered, null, 2), headers };
}

/** POSTs one body to `url` and resolves with the status, or 0 when the endpoint could not be reached in time. */
function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    // No agent: each delivery has a connection of its own, so none is left open to keep Jest or the app alive.
    const options = { method: 'POST', agent: false, headers: { ...headers, 'content-length': Buffer.byteLength(body) } };
    const req = request(url, options, (res) => {
      res.resume();
      // 'close' comes whether the body ended or the connection broke; the status is known either way.
      res.once('close', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.once('error', () => resolve(0));
    req.end(body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Delivers `event` to `url` as `options` say; resolves with the status of each sending, in order. */
export async function deliverEvent(url: string, secret: string, event: FakeEvent, options: DeliveryOptions = {}): Promise<number[]> {
  const { times = 1, delayMs = 0, concurrently = false, signature = 'valid', timeoutMs = 10_000 } = options;
  const once = async (): Promise<number> => {
    if (!concurrently && delayMs > 0) await sleep(delayMs);
    const { body, headers } = signedDelivery(event, secret, signature);
    return post(url, body, headers, timeoutMs);
  };
  if (concurrently) {
    if (delayMs > 0) await sleep(delayMs);
    return Promise.all(Array.from({ length: times }, once));
  }
  const statuses: number[] = [];
  for (let sent = 0; sent < times; sent += 1) statuses.push(await once());
  return statuses;
}
