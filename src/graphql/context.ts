import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../infra/logger';
import { User } from '../modules/accounts/user.entity';
import { createCatalogLoaders } from '../modules/catalog/catalog.loaders';
import { byIdLoader } from '../shared/loaders';

/** Fresh DataLoaders for one request: their caches live and die with it. */
export function createLoaders(em: EntityManager) {
  return {
    ...createCatalogLoaders(em),
    userById: byIdLoader(em, User),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

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
  /** Filled in as the operation runs, for the request's log line and metrics. */
  operation: OperationRecord;
}

export interface OperationRecord {
  name?: string;
  /** `ok`, or the code of the first error. */
  outcome?: string;
}

export interface ContextFactoryDeps {
  orm: MikroORM;
  logger: Logger;
}

/** Builds a {@link RequestContext}; the same function serves HTTP and WebSocket. */
export function createContextFactory(deps: ContextFactoryDeps) {
  return (input: { requestId: string; operation?: OperationRecord }): RequestContext => {
    const em = deps.orm.em.fork();
    return {
      requestId: input.requestId,
      em,
      loaders: createLoaders(em),
      logger: deps.logger.child({ requestId: input.requestId }),
      operation: input.operation ?? {},
    };
  };
}
