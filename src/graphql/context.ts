import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/config';
import type { LiveEvents } from '../live-events';
import type { Logger } from '../infra/logger';
import type { PubSub } from '../infra/pubsub';
import type { AccessTokens } from '../modules/accounts/access-token';
import type { AccountsRuntime } from '../modules/accounts/accounts-runtime';
import { authenticate, type Authentication, type Viewer } from '../modules/accounts/viewer';
import { modules, type ModuleLoaders } from '../modules';
import type { CatalogVersion } from '../modules/catalog/catalog-version';
import type { PaymentsRuntime } from '../modules/payments/payments-runtime';
import type { Clock } from '../shared/clock';
import { mergeModuleParts } from '../shared/module-manifest';

/** Fresh DataLoaders of every module for one request: their caches live and die with it. */
export function createLoaders(em: EntityManager): Loaders {
  return mergeModuleParts<Loaders>(
    'the loader',
    modules.flatMap((module) => ('loaders' in module ? [{ module: module.name, part: module.loaders(em) }] : [])),
  );
}

/** `ctx.loaders`: every module's loaders by name, typed from the manifests. */
export type Loaders = ModuleLoaders;

/**
 * What every resolver gets: built once per HTTP request and once per WebSocket operation. Services take it
 * as their first argument. Over WebSocket a subscription keeps one context for its whole life: fork a fresh
 * EntityManager for each event that needs the database.
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
  return async (input: ContextInput): Promise<RequestContext> => {
    let em: EntityManager | undefined;
    let loaders: Loaders | undefined;
    let logger: Logger | undefined;
    const forkedEm = () => (em ??= deps.orm.em.fork());
    const auth = await authenticate(forkedEm, deps.accessTokens, deps.accounts.viewerCache, input.authorization);
    const viewer = auth.kind === 'viewer' ? auth.viewer : null;
    const ctx: RequestContext = {
      requestId: input.requestId,
      get em() {
        return forkedEm();
      },
      set em(value: EntityManager) {
        em = value;
      },
      get loaders() {
        return (loaders ??= createLoaders(forkedEm()));
      },
      set loaders(value: Loaders) {
        loaders = value;
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
    forgetters.set(ctx, () => {
      em = undefined;
      loaders = undefined;
    });
    return ctx;
  };
}

export type ContextFactory = ReturnType<typeof createContextFactory>;

/** How each context made by {@link createContextFactory} forgets its EntityManager fork and loaders. */
const forgetters = new WeakMap<RequestContext, () => void>();

/**
 * Forgets `ctx`'s EntityManager fork and loaders: the next use makes new ones, and an event that never reads the
 * database (a LiveStock event, to each of thousands of subscribers) makes none. See `renewForEvent`.
 */
export function forgetRequestState(ctx: RequestContext): void {
  const forget = forgetters.get(ctx);
  if (!forget) throw new Error('not a context of createContextFactory');
  forget();
}
