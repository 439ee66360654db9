import type { Authentication } from './accounts/viewer';
import type { ServiceScope } from './service-scope';

/**
 * What every resolver gets: built once per HTTP request and once per WebSocket operation. Identity and per-request
 * things only: it is the service scope of the call (services take it as their first argument), plus what only a
 * request has. The app's shared parts (configuration, hubs, runtimes) are not here: the services were made with them
 * (`createServices`). Over WebSocket a subscription's context is made once, at subscribe; each of its events runs
 * with a context of its own (see `contextForEvent`).
 */
export interface RequestContext extends ServiceScope {
  /** Who is asking, re-read from the database for this request (see `authenticate`). `viewer` is its user, or null when anonymous or the token was rejected; banned users are viewers too: rules refuse them. */
  actor: Authentication;
  /** Filled in as the operation runs, for the request's log line and metrics. */
  operation: OperationRecord;
  /** The HTTP request and response, for headers and cookies; null over WebSocket. */
  http: HttpExchange | null;
}

/** What a resolver may see of an HTTP request and add to its response. */
export interface HttpExchange {
  /** A request header's value, by case-insensitive name. */
  header(name: string): string | undefined;
  /** Adds a `Set-Cookie` header to the response. */
  appendSetCookie(cookie: string): void;
}

export interface OperationRecord {
  name?: string;
  /** `ok`, or the code of the first error. */
  outcome?: string;
}
