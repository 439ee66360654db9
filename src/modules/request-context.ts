import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config/config';
import type { Logger } from '../infra/logger';
import type { Clock } from '../shared/clock';
import type { ModuleHubs, ModuleLoaders } from '.';
import type { AccountsRuntime } from './accounts/accounts-runtime';
import type { Authentication, Viewer } from './accounts/viewer';
import type { CatalogVersion } from './catalog/catalog-version';
import type { PaymentsRuntime } from './payments/payments-runtime';

/**
 * What every resolver gets: built once per HTTP request and once per WebSocket operation. Services take it
 * as their first argument. Over WebSocket a subscription's context is made once, at subscribe; each of its events
 * runs with a context of its own (see {@link contextForEvent}).
 */
export interface RequestContext {
  requestId: string;
  /** A fork of the ORM's EntityManager: its identity map is this request's alone. */
  em: EntityManager;
  /** Every module's DataLoaders (their manifests' `loaders`), fresh for this request. */
  loaders: ModuleLoaders;
  /** The request's logger: every line carries the request id. */
  logger: Logger;
  /** Who is asking, re-read from the database for this request (see `authenticate`). */
  auth: Authentication;
  /** The recognised caller, or null when anonymous or the token was rejected. Banned users are viewers too: rules refuse them. */
  viewer: Viewer | null;
  /** The caller's address, for rate limits and audit. */
  clientAddress: string | null;
  clock: Clock;
  /** Token signing and login limits, one per app. */
  accounts: AccountsRuntime;
  /** The validated configuration (reservation length, …). */
  config: Config;
  /** This instance's live subscription hubs (stock, orders). */
  live: ModuleHubs;
  /** The catalogue's version in this instance: a write's `catalogChanged` bumps it at commit (read-your-writes); the relayed notification bumps every instance. */
  catalogVersion: CatalogVersion;
  /** The payment providers (Stripe, or DEVELOPMENT), one per process. */
  payments: PaymentsRuntime;
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
