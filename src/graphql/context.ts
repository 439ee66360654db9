import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/config';
import type { LiveEvents } from '../live-events';
import type { Logger } from '../infra/logger';
import type { PubSub } from '../infra/pubsub';
import type { AccessTokens } from '../modules/accounts/access-token';
import type { AccountsRuntime } from '../modules/accounts/accounts-runtime';
import { User } from '../modules/accounts/user.entity';
import { authenticate, type Authentication, type Viewer } from '../modules/accounts/viewer';
import { createCatalogLoaders } from '../modules/catalog/catalog.loaders';
import { createOrderLoaders } from '../modules/orders/order.loaders';
import type { CatalogVersion } from '../modules/catalog/catalog-version';
import type { PaymentsRuntime } from '../modules/payments/payments-runtime';
import type { Clock } from '../shared/clock';
import { byIdLoader } from '../shared/loaders';

/** Fresh DataLoaders for one request: their caches live and die with it. */
export function createLoaders(em: EntityManager) {
  return {
    ...createCatalogLoaders(em),
    userById: byIdLoader(em, User),
    ...createOrderLoaders(em),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * What every resolver gets: built once per HTTP request and once per WebSocket operation. Services take it
 * as their first argument. Over WebSocket a subscription's context is made once, at subscribe; each of its events
 * runs with a context of its own (see {@link contextForEvent}).
 */
export interface RequestContext {
  requestId: string;
  /** A fork of the ORM's EntityManager: its identity map is this request's alone. */
  em: EntityManager;
  loaders: Loaders;
  /** The request's logger: every line carries the request id. */
  logger: Logger;
  /** Who is asking, re-read from the database for this request (see `authenticate`). */
  auth: Authentication;
  /** The recognised caller, or null when anonymous or the token was rejected. Banned users are viewers too: rules refuse them. */
  viewer: Viewer | null;
  /** The caller's address, for rate limits and audit. */
  clientAddress: string | null;
  clock: Clock;
  /** Events to other parts of this instance and to other instances (Redis when configured). */
  pubsub: PubSub;
  /** Token signing and login limits, one per app. */
  accounts: AccountsRuntime;
  /** The validated configuration (reservation length, …). */
  config: Config;
  /** This instance's live subscription hubs (stock, orders). */
  live: LiveEvents;
  /** The catalogue's version in this instance: writes bump it through `catalogChanged`, after commit. */
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

export interface ContextFactoryDeps {
  orm: MikroORM;
  logger: Logger;
  accessTokens: AccessTokens;
  clock: Clock;
  pubsub: PubSub;
  accounts: AccountsRuntime;
  config: Config;
  live: LiveEvents;
  catalogVersion: CatalogVersion;
  payments: PaymentsRuntime;
}

export interface ContextInput {
  requestId: string;
  /** The `Authorization` header, or `connectionParams.authorization` over WebSocket. */
  authorization?: unknown;
  clientAddress?: string | null;
  operation?: OperationRecord;
  /** HTTP only. */
  http?: HttpExchange;
}

/**
 * Builds a {@link RequestContext}; the same function serves HTTP and WebSocket. The EntityManager fork, the
 * loaders and the request's logger are made on first use: an anonymous request that never reaches the
 * database pays for none of them, and an idle anonymous subscription (a dashboard watching stock) holds none.
 */
export function createContextFactory(deps: ContextFactoryDeps) {
  const build = (input: ContextInput, auth: Authentication, authenticationEm?: EntityManager): RequestContext => {
    let em = authenticationEm;
    let loaders: Loaders | undefined;
    let logger: Logger | undefined;
    const forkedEm = () => (em ??= deps.orm.em.fork());
    const viewer = auth.kind === 'viewer' ? auth.viewer : null;
    const ctx: RequestContext = {
      requestId: input.requestId,
      get em() {
        return forkedEm();
      },
      get loaders() {
        return (loaders ??= createLoaders(forkedEm()));
      },
      get logger() {
        return (logger ??= deps.logger.child({ requestId: input.requestId, ...(viewer ? { userId: viewer.userId } : {}) }));
      },
      auth,
      viewer,
      clientAddress: input.clientAddress ?? null,
      clock: deps.clock,
      pubsub: deps.pubsub,
      accounts: deps.accounts,
      config: deps.config,
      live: deps.live,
      catalogVersion: deps.catalogVersion,
      payments: deps.payments,
      operation: input.operation ?? {},
      http: input.http ?? null,
    };
    eventContextMakers.set(ctx, (current) => build({ ...input, operation: ctx.operation }, current ? { kind: 'viewer', viewer: current } : auth));
    return ctx;
  };
  return async (input: ContextInput): Promise<RequestContext> => {
    let em: EntityManager | undefined;
    const auth = await authenticate(() => (em ??= deps.orm.em.fork()), deps.accessTokens, deps.accounts.viewerCache, input.authorization);
    return build(input, auth, em);
  };
}

export type ContextFactory = ReturnType<typeof createContextFactory>;

/** How each context made by {@link createContextFactory} makes the context of one event of its subscription. */
const eventContextMakers = new WeakMap<RequestContext, (viewer: Viewer | null) => RequestContext>();

/**
 * The context of one event of the subscription whose context is `subscription`: a new object, with the viewer as
 * the per-event re-check found it (its current role), and its own EntityManager fork, loaders and graphql-shield
 * cache, so that no event sees the identity map, loader caches or rule verdicts of the events before it. The
 * subscription's context is never changed. They are made on first use, as for a request: a LiveStock event
 * fanned out to thousands of subscribers reads no database and makes none.
 */
export function contextForEvent(subscription: RequestContext, viewer: Viewer | null): RequestContext {
  const make = eventContextMakers.get(subscription);
  if (!make) throw new Error('not a context of createContextFactory');
  return make(viewer);
}
