import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CronItem, TaskList } from 'graphile-worker';
import type { RuleTree } from './rule-tree';

/**
 * A resolver class of type-graphql. The schema makes one of each, once, with the app's services (`createServices`):
 * its constructor names the services it calls (`constructor(private readonly services: { orderService: OrderService })`).
 */
export type ResolverClass = new (services: never) => object;

/** What the app does with a live hub: start it before the notification relay, stop it after. */
export interface StartableHub {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The graphile-worker tasks of a module, and the cron entries that run some of them. */
export interface ModuleJobs<Deps> {
  /** The module's tasks by name, built once per worker with what they need (`Deps`: the worker's own, a superset). */
  tasks(deps: Deps): TaskList;
  /** Recurring runs of the module's tasks. Default none. */
  cron?: readonly CronItem[];
}

/** The live subscription hubs of a module, and the PostgreSQL channels they are fed from. */
export interface ModuleLive<Deps, Hubs extends Record<string, StartableHub>> {
  /** The module's hubs by name (`live.<name>` in the services' deps), made once per API instance. */
  hubs(deps: Deps): Hubs;
  /** `NOTIFY` channel → pub/sub topic, for the notification relay. Default none (the hubs read another module's topic). */
  relay?: Readonly<Record<string, string>>;
}

/**
 * Everything a feature module brings to the app, declared once in its `<name>.module.ts` with {@link defineModule}.
 * The app walks the list of modules (`src/modules/index.ts`): the schema takes the resolvers, the permissions the
 * rules, the ORM the entities, each request the loaders, the worker the jobs, each API instance the live hubs.
 * Every part is optional.
 */
export interface ModuleManifest<JobDeps, LiveDeps, Loaders extends object, Hubs extends Record<string, StartableHub>, ServiceDeps, Services extends object> {
  /** The module's folder name, for error messages. */
  name: string;
  /** The MikroORM entities and embeddables whose tables the module owns. */
  entities?: readonly EntityClass<object>[];
  /** Its type-graphql resolver classes, field resolvers included. */
  resolvers?: readonly ResolverClass[];
  /** Its graphql-shield rules; two modules giving a rule to the same field fail the schema's build. */
  rules?: RuleTree;
  /** Its per-request DataLoaders (`ctx.loaders.<name>`): made fresh for each request, their caches die with it. */
  loaders?(em: EntityManager): Loaders;
  /**
   * Its services by name, made once per process by `createServices` with what they need (`ServiceDeps`: the app's
   * shared parts, and other modules' services by name, which a service calls at call time, never while being made).
   * Every method takes a `ServiceScope` first: HTTP, WebSocket, jobs, webhooks and scripts call the same methods.
   */
  services?(deps: ServiceDeps): Services;
  jobs?: ModuleJobs<JobDeps>;
  live?: ModuleLive<LiveDeps, Hubs>;
}

/** Any manifest: what {@link defineModule} checks a module against (a task taking any deps fits `never`). */
export type AnyModuleManifest = ModuleManifest<never, never, object, Record<string, StartableHub>, never, object>;

/**
 * Declares a module: checks `manifest` against {@link ModuleManifest} and keeps its exact type, from which the app
 * derives the types of `ctx.loaders`, of the services and hubs, and what the worker, the services and the hubs must be given.
 */
export function defineModule<const Manifest extends AnyModuleManifest>(manifest: Manifest): Manifest {
  return manifest;
}

/** `A | B` → `A & B`: the parts of several modules, one object. */
export type UnionToIntersection<Union> = (Union extends unknown ? (part: Union) => void : never) extends (part: infer Intersection) => void ? Intersection : never;

/**
 * Merges the parts that several modules give under their own names (hubs, tasks) into one object, failing on a name
 * that two of them give: one would silently replace the other. `Merged` is what the caller derived from the
 * manifests' types; the parts are those manifests' values.
 */
export function mergeModuleParts<Merged extends object>(what: string, parts: ReadonlyArray<{ module: string; part: object }>): Merged {
  const merged: Record<string, unknown> = {};
  const owner = new Map<string, string>();
  for (const { module, part } of parts) {
    for (const [name, value] of Object.entries(part)) {
      const other = owner.get(name);
      if (other !== undefined) throw new Error(`${what} "${name}" is given by two modules: ${other} and ${module}`);
      owner.set(name, module);
      merged[name] = value;
    }
  }
  // The parts are the manifests' own values, and `Merged` the intersection of their types: what was merged is that.
  return merged as Merged;
}
