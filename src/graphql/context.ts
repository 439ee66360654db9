import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../infra/logger';
import type { AccessTokens } from '../modules/accounts/access-token';
import { authenticate, type Authentication, type Viewer } from '../modules/accounts/viewer';
import type { ViewerCache } from '../modules/accounts/viewer-cache';
import type { Clock } from '../shared/clock';
import type { HttpExchange, OperationRecord, RequestContext } from '../modules/request-context';
import { createLoaders, type ModuleLoaders } from '../modules';

/** What a context is made from: the clock, the database, the logger, and what recognises the caller. */
export interface ContextFactoryDeps {
  orm: MikroORM;
  logger: Logger;
  clock: Clock;
  accessTokens: AccessTokens;
  /** The per-request re-check's cache (the accounts runtime's). */
  viewerCache: ViewerCache;
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
 * What a context makes on first use: the EntityManager fork, the loaders and the request's logger. One per request,
 * shared by every copy of its context.
 */
class LazyParts {
  private loaders: ModuleLoaders | undefined;
  private logger: Logger | undefined;

  constructor(
    private readonly deps: ContextFactoryDeps,
    private readonly logFields: { requestId: string; userId?: string },
    private em: EntityManager | undefined,
  ) {}

  getEm(): EntityManager {
    return (this.em ??= this.deps.orm.em.fork());
  }

  getLoaders(): ModuleLoaders {
    return (this.loaders ??= createLoaders(this.getEm()));
  }

  getLogger(): Logger {
    return (this.logger ??= this.deps.logger.child(this.logFields));
  }

  /** Forgets the fork and loaders (see {@link releaseSubscribeState}); the next use makes new ones. */
  release(): void {
    this.em = undefined;
    this.loaders = undefined;
  }
}

/**
 * A {@link RequestContext} whose `em`, `loaders` and `logger` are getters of the class, not of the object: Apollo
 * Server copies each operation's context (`Object.assign` onto an object of the same prototype), which reads every
 * own getter. Own getters made every HTTP request fork an EntityManager, make some twenty DataLoaders and a child
 * logger (with its redaction) whether it used them or not: about 3 % of an executed `Catalog`'s CPU for the logger
 * alone. The copy shares `lazy`, so a request makes each at most once.
 */
class LazyRequestContext implements RequestContext {
  readonly requestId: string;
  readonly viewer: Viewer | null;
  readonly clientAddress: string | null;
  readonly clock: Clock;
  readonly operation: OperationRecord;
  readonly http: HttpExchange | null;
  readonly lazy: LazyParts;

  constructor(
    private readonly deps: ContextFactoryDeps,
    /** What it was made from, for the contexts of its events ({@link contextForEvent}). */
    private readonly input: ContextInput,
    readonly actor: Authentication,
    authenticationEm?: EntityManager,
  ) {
    this.requestId = input.requestId;
    this.viewer = actor.kind === 'viewer' ? actor.viewer : null;
    this.clientAddress = input.clientAddress ?? null;
    this.clock = deps.clock;
    this.operation = input.operation ?? {};
    this.http = input.http ?? null;
    this.lazy = new LazyParts(deps, { requestId: input.requestId, ...(this.viewer ? { userId: this.viewer.userId } : {}) }, authenticationEm);
  }

  get em(): EntityManager {
    return this.lazy.getEm();
  }

  get loaders(): ModuleLoaders {
    return this.lazy.getLoaders();
  }

  get logger(): Logger {
    return this.lazy.getLogger();
  }

  /** A new context for one event of this subscription (see {@link contextForEvent}). */
  forEvent(viewer: Viewer | null): RequestContext {
    return new LazyRequestContext(this.deps, { ...this.input, operation: this.operation }, viewer ? { kind: 'viewer', viewer } : this.actor);
  }
}

/**
 * Builds a {@link RequestContext}; the same function serves HTTP and WebSocket. The EntityManager fork, the
 * loaders and the request's logger are made on first use: an anonymous request that never reaches the
 * database pays for none of them, and an idle anonymous subscription (a dashboard watching stock) holds none.
 */
export function createContextFactory(deps: ContextFactoryDeps) {
  return async (input: ContextInput): Promise<RequestContext> => {
    let em: EntityManager | undefined;
    const auth = await authenticate(() => (em ??= deps.orm.em.fork()), deps.accessTokens, deps.viewerCache, input.authorization);
    return new LazyRequestContext(deps, input, auth, em);
  };
}

export type ContextFactory = ReturnType<typeof createContextFactory>;

/**
 * The context of one event of the subscription whose context is `subscription`: a new object, with the viewer as
 * the per-event re-check found it (its current role), and its own EntityManager fork, loaders and graphql-shield
 * cache, so that no event sees the identity map, loader caches or rule verdicts of the events before it. The
 * subscription's context is never changed. They are made on first use, as for a request: a LiveStock event
 * fanned out to thousands of subscribers reads no database and makes none.
 */
export function contextForEvent(subscription: RequestContext, viewer: Viewer | null): RequestContext {
  if (!(subscription instanceof LazyRequestContext)) throw new Error('not a context of createContextFactory');
  return subscription.forEvent(viewer);
}

/**
 * Lets a subscription's context drop the EntityManager fork and loaders its `subscribe` used (LiveStock reads the
 * products it is asked to watch): its events each have their own, and kept for the subscription's whole life they
 * were 2–3 KiB of heap per idle subscriber. Called once `subscribe` has run; a later use would make new ones.
 */
export function releaseSubscribeState(subscription: RequestContext): void {
  if (subscription instanceof LazyRequestContext) subscription.lazy.release();
}
