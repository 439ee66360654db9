import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../infra/logger';
import type { Clock } from '../shared/clock';
import type { ModuleLoaders } from '.';
import type { Authentication, Viewer } from './accounts/viewer';

/** A job, a webhook delivery or a script acting on its own account, for no signed-in user. */
export interface SystemActor {
  kind: 'system';
  /** What acts (`payment-jobs`, `stripe-webhook`, `rotate-keys`…): logged with what it does. */
  name: string;
}

/** Who a service call acts for: the caller as its request recognised it (anonymous, a viewer, a rejected token), or the system. */
export type Actor = Authentication | SystemActor;

/**
 * What every service method takes first: who acts, and the unit of work it acts in. A request's context is one
 * (HTTP and WebSocket); a job, a webhook or a script makes one with {@link systemScope}. The services themselves
 * are made once, at start, with the app's shared parts (`createServices`).
 */
export interface ServiceScope {
  /** The request's id, or the job's / delivery's: every log line of the call carries it. */
  requestId: string;
  actor: Actor;
  /** The actor's user when a user acts (`actor.kind === 'viewer'`), else null: what rules and resolvers read. */
  viewer: Viewer | null;
  /** A fork of the ORM's EntityManager: its identity map is this call's alone. */
  em: EntityManager;
  /** Every module's DataLoaders (their manifests' `loaders`), fresh for this call. */
  loaders: ModuleLoaders;
  logger: Logger;
  clock: Clock;
  /** The caller's address, for rate limits and audit; null for the system. */
  clientAddress: string | null;
}

/**
 * How a system scope makes its loaders: the list of modules' `createLoaders`, handed over by the list itself when it
 * loads (`src/modules/index.ts`). Not imported from there: the modules' jobs make system scopes, and a module's file
 * importing the list of modules would load every module while that module is still loading.
 */
let makeLoaders: ((em: EntityManager) => ModuleLoaders) | undefined;

/** Called once, by the list of modules, with its `createLoaders`. */
export function provideModuleLoaders(createLoaders: (em: EntityManager) => ModuleLoaders): void {
  makeLoaders = createLoaders;
}

export interface SystemScopeDeps {
  orm: MikroORM;
  clock: Clock;
  logger: Logger;
}

/**
 * A scope for the system acting as `name` (a job, a webhook delivery, a script): its own EntityManager fork and
 * loaders, made on first use, and a logger that names the actor and the id of what it runs.
 */
export function systemScope(deps: SystemScopeDeps, name: string, requestId: string = randomUUID()): ServiceScope {
  let em: EntityManager | undefined;
  let loaders: ModuleLoaders | undefined;
  let logger: Logger | undefined;
  return {
    requestId,
    actor: { kind: 'system', name },
    viewer: null,
    get em() {
      return (em ??= deps.orm.em.fork());
    },
    get loaders() {
      if (!makeLoaders) throw new Error('a system scope needs the list of modules (src/modules/index.ts) loaded first');
      return (loaders ??= makeLoaders(this.em));
    },
    get logger() {
      return (logger ??= deps.logger.child({ actor: name, requestId }));
    },
    clock: deps.clock,
    clientAddress: null,
  };
}
