import { stripeError, type ApiResult } from './account';

/** A response as it was first sent: the body is frozen as text, so a replay shows the object as it was then. */
export interface StoredResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

type Entry = { fingerprint: string; response?: StoredResponse };

/** What the store says about a keyed request before it runs. */
export type Lookup =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'conflict'; result: ApiResult };

/**
 * Stripe's idempotency layer (docs.stripe.com/api/idempotent_requests): the first response for a key (500s
 * included) is replayed for the same method, path and parameters; other parameters are an
 * `idempotency_error`; a key whose first request is still executing is `idempotency_key_in_use` (409).
 * Keys are scoped by API key and kept for the life of the fake (Stripe keeps them at least 24 h).
 */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  /** A request's identity for comparison: the parameters sorted, since Stripe compares values, not byte order. */
  static fingerprint(method: string, path: string, body: string): string {
    const pairs = [...new URLSearchParams(body)].map((pair) => JSON.stringify(pair)).sort();
    return `${method} ${path}\n${pairs.join('\n')}`;
  }

  lookup(apiKey: string, key: string, fingerprint: string): Lookup {
    const entry = this.entries.get(`${apiKey}\n${key}`);
    if (!entry) return { kind: 'new' };
    if (entry.fingerprint !== fingerprint) {
      return {
        kind: 'conflict',
        result: stripeError(
          400,
          'idempotency_error',
          `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        ),
      };
    }
    if (!entry.response) {
      // Stripe does not say this one is to be stored; it is safe to retry, and the SDK retries any 409 itself.
      return {
        kind: 'conflict',
        result: stripeError(
          409,
          'idempotency_error',
          `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
          { code: 'idempotency_key_in_use' },
        ),
      };
    }
    return { kind: 'replay', response: entry.response };
  }

  /** The endpoint starts executing: from now on the key is in use, then answered. */
  begin(apiKey: string, key: string, fingerprint: string): void {
    this.entries.set(`${apiKey}\n${key}`, { fingerprint });
  }

  finish(apiKey: string, key: string, response: StoredResponse): void {
    const entry = this.entries.get(`${apiKey}\n${key}`);
    if (entry) entry.response = response;
  }
}
