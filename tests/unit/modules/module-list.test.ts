import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { MetadataStorage as EntityMetadataStorage } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { getMetadataStorage } from 'type-graphql';
import { loadConfig } from '../../../src/config/config';
import { createLoaders } from '../../../src/modules';
import { permissionRules } from '../../../src/graphql/permissions';
import { ormConfig } from '../../../src/infra/db/orm';
import { createLogger } from '../../../src/infra/logger';
import { createInProcessPubSub } from '../../../src/infra/pubsub';
import { createModuleHubs, createModuleTasks, moduleCron, moduleEntities, moduleRelayRoutes, modules } from '../../../src/modules';
import { systemClock } from '../../../src/shared/clock';
import { mergeModuleParts } from '../../../src/shared/module-manifest';
import { resolvers } from '../../../src/graphql/schema';
import { createWorkerServices } from '../../../src/worker';

const MODULES_DIR = join(__dirname, '..', '..', '..', 'src', 'modules');

/** Every TypeScript file under src/modules. */
function moduleFiles(dir = MODULES_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? moduleFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/**
 * The classes that the files under src/modules export and that `isDecorated` recognises, each with its file: the
 * files whose text carries one of `decorators` are loaded, and their exports checked against the libraries' own
 * metadata (what the decorators registered), not against a regular expression over the source.
 */
function exportedClasses(decorators: string[], isDecorated: (value: unknown) => boolean): Map<unknown, string> {
  const found = new Map<unknown, string>();
  for (const file of moduleFiles()) {
    const text = readFileSync(file, 'utf8');
    if (!decorators.some((decorator) => text.includes(decorator))) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading every such file is the point.
    const exported = require(file) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exported)) {
      if (typeof value === 'function' && isDecorated(value)) found.set(value, `${relative(MODULES_DIR, file)}: ${name}`);
    }
  }
  return found;
}

/** What each manifest claims of a kind, flattened, with the module that claims it. */
function claims<T>(partOf: (module: (typeof modules)[number]) => readonly T[]): Array<{ module: string; item: T }> {
  return modules.flatMap((module) => partOf(module).map((item) => ({ module: module.name, item })));
}

function claimedTwice<T>(claimed: Array<{ item: T }>): T[] {
  const seen = new Set<T>();
  return claimed.filter(({ item }) => seen.has(item) || !seen.add(item)).map(({ item }) => item);
}

describe('the list of modules', () => {
  it('should give every entity and embeddable class under src/modules to exactly one manifest', () => {
    const registered = new Set(Object.values(EntityMetadataStorage.getMetadata()).map((meta) => meta.class));
    const entities = exportedClasses(['@Entity(', '@Embeddable('], (value) => registered.has(value as never));
    const claimed = claims<unknown>((module) => ('entities' in module ? module.entities : []));

    expect(entities.size).toBeGreaterThan(10);
    const forgotten = [...entities].filter(([entity]) => !claimed.some(({ item }) => item === entity)).map(([, where]) => where);
    expect(forgotten).toEqual([]);
    expect(claimedTwice(claimed)).toEqual([]);
    expect(moduleEntities).toHaveLength(claimed.length);
  });

  it('should give every @Resolver class under src/modules to exactly one manifest, and the schema build all of them', () => {
    const resolverClasses = new Set<unknown>(getMetadataStorage().resolverClasses.map((metadata) => metadata.target));
    const found = exportedClasses(['@Resolver('], (value) => resolverClasses.has(value));
    const claimed = claims<unknown>((module) => ('resolvers' in module ? module.resolvers : []));

    expect(found.size).toBeGreaterThan(20);
    const forgotten = [...found].filter(([resolver]) => !claimed.some(({ item }) => item === resolver)).map(([, where]) => where);
    expect(forgotten).toEqual([]);
    expect(claimedTwice(claimed)).toEqual([]);
    expect(resolvers).toEqual(claimed.map(({ item }) => item));
  });

  it('should not let two modules claim the same module name, cron entry or notification channel', () => {
    expect(claimedTwice(claims((module) => [module.name]))).toEqual([]);
    const cron = claims((module) => ('jobs' in module && 'cron' in module.jobs ? module.jobs.cron.map((entry) => entry.identifier ?? entry.task) : []));
    expect(cron).toHaveLength(moduleCron.length);
    expect(claimedTwice(cron)).toEqual([]);
    // Throws when two modules route the same channel.
    expect(Object.keys(moduleRelayRoutes()).sort()).toEqual(['atelier_account_changed', 'atelier_order_updated', 'atelier_stock_changed']);
  });

  it('should merge every module’s rules, loaders, tasks and live hubs, none of them given twice', () => {
    const logger = createLogger('silent');
    const config = loadConfig({ NODE_ENV: 'test' });
    // Never connects: only builds what the modules' factories close over.
    const orm = MikroORM.initSync(ormConfig({ url: 'postgresql://127.0.0.1:1/never-connected', entities: moduleEntities, logger }));

    // mergeRuleTrees fails on a field that two modules give a rule to.
    expect(permissionRules()).toHaveProperty('Query');
    expect(Object.keys(createLoaders(orm.em.fork()))).toEqual(expect.arrayContaining(['productById', 'shopById', 'userById', 'orderById', 'paymentOfOrder']));
    const tasks = createModuleTasks({
      orm,
      clock: systemClock,
      logger,
      services: createWorkerServices({ config, orm, logger }),
      retention: config.retention,
    });
    expect(Object.keys(tasks)).toEqual(expect.arrayContaining(['expire_order', 'expire_overdue_orders']));
    for (const entry of moduleCron) expect(tasks).toHaveProperty([entry.task]);
    const hubs = createModuleHubs({ orm, pubsub: createInProcessPubSub(), logger, reconcileMs: 60_000 });
    expect(Object.keys(hubs).sort()).toEqual(['accounts', 'orders', 'shopOrders', 'stock']);
  });

  it('should fail, naming both modules, when two modules give a part the same name', () => {
    expect(() =>
      mergeModuleParts('the loader', [
        { module: 'catalog', part: { productById: 1 } },
        { module: 'orders', part: { productById: 2 } },
      ]),
    ).toThrow('the loader "productById" is given by two modules: catalog and orders');
  });
});
