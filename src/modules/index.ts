import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CronItem, TaskList } from 'graphile-worker';
import { mergeModuleParts, type UnionToIntersection } from '../shared/module-manifest';
import { accountsModule } from './accounts/accounts.module';
import { cartModule } from './cart/cart.module';
import { catalogModule } from './catalog/catalog.module';
import { inventoryModule } from './inventory/inventory.module';
import { notificationsModule } from './notifications/notifications.module';
import { ordersModule } from './orders/orders.module';
import { paymentsModule } from './payments/payments.module';
import { privacyModule } from './privacy/privacy.module';
import { provideModuleLoaders } from './service-scope';

/**
 * Every feature module, listed once: the schema, the permissions, the entity list, each request's loaders, the
 * worker and the live hubs walk this list. Adding a module is adding its manifest here, nothing else. The order is
 * the schema's: root fields are listed module by module, in the order of each module's resolvers (see `buildAppSchema`).
 */
export const modules = [accountsModule, catalogModule, cartModule, notificationsModule, inventoryModule, ordersModule, paymentsModule, privacyModule] as const;

/** One of the modules, with its manifest's exact type. */
type AppModule = (typeof modules)[number];

type LoadersOf<Module> = Module extends { loaders(em: EntityManager): infer Loaders } ? Loaders : never;
type HubsOf<Module> = Module extends { live: { hubs(deps: never): infer Hubs } } ? Hubs : never;
type JobDepsOf<Module> = Module extends { jobs: { tasks(deps: infer Deps): TaskList } } ? Deps : never;
type LiveDepsOf<Module> = Module extends { live: { hubs(deps: infer Deps): unknown } } ? Deps : never;
type ServicesOf<Module> = Module extends { services(deps: never): infer Services } ? Services : never;
type ServiceDepsOf<Module> = Module extends { services(deps: infer Deps): unknown } ? Deps : never;

/** Every module's per-request loaders, by name: `ctx.loaders`. */
export type ModuleLoaders = UnionToIntersection<LoadersOf<AppModule>>;
/** Every module's live hubs, by name: what the services that watch them are made with (`live`). */
export type ModuleHubs = UnionToIntersection<HubsOf<AppModule>>;
/** What the worker gives every module's tasks: all that any of them needs. */
export type ModuleJobDeps = UnionToIntersection<JobDepsOf<AppModule>>;
/** What every module's live hubs are made with. */
export type ModuleLiveDeps = UnionToIntersection<LiveDepsOf<AppModule>>;

/** Every module's services by name, made once per process: what resolvers, jobs, webhooks and scripts call. */
export type AppServices = UnionToIntersection<ServicesOf<AppModule>>;
/** What the services are made with: the app's shared parts that any of them needs (the others' services aside). */
export type ServiceRuntime = Omit<UnionToIntersection<ServiceDepsOf<AppModule>>, keyof AppServices>;

/**
 * Every module's services, made once with the app's shared parts; a service name that two modules give fails. A
 * module's services may call another's: they are handed the same object, which holds every service once all are
 * made (so they reach each other at call time, never while being made).
 */
export function createServices(runtime: ServiceRuntime): AppServices {
  const deps: Record<string, unknown> = { ...runtime };
  const services = mergeModuleParts<AppServices & object>(
    'the service',
    // `deps` is the runtime now and every service below once they are made: what each module's `services` asked for.
    modules.flatMap((module) => {
      if (!('services' in module)) return [];
      const makeServices: (deps: never) => object = module.services;
      return [{ module: module.name, part: makeServices(deps as never) }];
    }),
  );
  Object.assign(deps, services);
  return services;
}

/** The modules that bring loaders, found once. */
const modulesWithLoaders = modules.filter((module) => 'loaders' in module);
/** A module's loader names never change: that no two modules give the same one is checked at the first call only. */
let loaderNamesChecked = false;

/** Fresh DataLoaders of every module for one request (or job): their caches live and die with it. */
export function createLoaders(em: EntityManager): ModuleLoaders {
  const parts = modulesWithLoaders.map((module) => ({ module: module.name, part: module.loaders(em) }));
  if (loaderNamesChecked) return Object.assign({}, ...parts.map(({ part }) => part)) as ModuleLoaders;
  const loaders = mergeModuleParts<ModuleLoaders>('the loader', parts);
  loaderNamesChecked = true;
  return loaders;
}

/**
 * Every resolver class of the API: each module's, in the order of the list of modules (the schema's order). Each is
 * made once with the app's services: a constructor asking for a service that no module gives fails to compile here.
 */
export const moduleResolvers: readonly (new (services: AppServices) => object)[] = modules.flatMap<new (services: AppServices) => object>((module) => ('resolvers' in module ? module.resolvers : []));

/** Every module's entities, for the ORM (the infrastructure's own are added by `ormConfig`). */
export const moduleEntities: readonly EntityClass<object>[] = modules.flatMap<EntityClass<object>>((module) => ('entities' in module ? module.entities : []));

/** Every module's tasks by name, for one worker; a task name that two modules give fails. */
export function createModuleTasks(deps: ModuleJobDeps): TaskList {
  return mergeModuleParts<TaskList>('the task', modules.flatMap((module) => ('jobs' in module ? [{ module: module.name, part: module.jobs.tasks(deps) }] : [])));
}

/** Every module's cron entries. */
export const moduleCron: readonly CronItem[] = modules.flatMap((module) => ('jobs' in module && 'cron' in module.jobs ? module.jobs.cron : []));

/** Every module's live hubs by name, made (not started) for one API instance; a hub name that two modules give fails. */
export function createModuleHubs(deps: ModuleLiveDeps): ModuleHubs {
  return mergeModuleParts<ModuleHubs>('the live hub', modules.flatMap((module) => ('live' in module ? [{ module: module.name, part: module.live.hubs(deps) }] : [])));
}

/** `NOTIFY` channel → pub/sub topic of every module, for the notification relay; a channel that two modules route fails. */
export function moduleRelayRoutes(): Record<string, string> {
  return mergeModuleParts<Record<string, string>>(
    'the notification channel',
    modules.flatMap((module) => ('live' in module && 'relay' in module.live ? [{ module: module.name, part: module.live.relay }] : [])),
  );
}

// System scopes (jobs, webhooks, scripts) make their loaders with the list's own (see service-scope.ts).
provideModuleLoaders(createLoaders);
