import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { openDatabase } from '../../src/infra/db/orm';
import type { Logger } from '../../src/infra/logger';
import { demoCatalogService } from '../../src/modules/catalog/demo-catalog';
import { systemScope } from '../../src/modules/service-scope';
import { systemClock } from '../../src/shared/clock';
import { runSql } from '../../src/shared/sql';
import { freePort, startScratchDatabase, type ScratchDatabase } from '../../scripts/lib/scratch-database';
import { measureLoad, type GraphqlRequest, type LoadResult, type LoadSettings, type LoadTarget } from './load';
import { startStatementCounter, type StatementCounter } from './pg-statement-counter';
import type { Report, TargetOutcome } from './report';
import { collectGarbage, openInspectorSession, type InspectorSession } from './inspector';
import { BENCH_JWT_SECRET, RAW_CATALOG_SERVER_JS, startServerProcess, type ServerProcess } from './server-process';
import { startFakeStripe, type FakeStripe } from '../../tests/utils/fake-stripe';
import { moduleEntities } from '../../src/modules/index';
import { installServerCipher } from './personal-data-cost';

/** Products in the catalogue that the server is measured on. */
export const CATALOG_PRODUCTS = 10_000;

/** The API as a child process, and the statement counter between it and PostgreSQL. */
export interface BenchServer extends LoadTarget {
  baseUrl: string;
}

/**
 * The API on a database of its own (`atelier_commerce`, migrated, no catalogue), for the scenarios that write:
 * checkouts and stock changes would otherwise change the shared catalogue under the other scenarios.
 */
export interface CommerceServer extends BenchServer {
  /** `ws://127.0.0.1:<port>/graphql`, for graphql-ws. */
  wsUrl: string;
  /** Its database, directly (not through the counter): for fixtures and for checking invariants afterwards. */
  databaseUrl: string;
  /** The secret its access tokens are signed with. */
  jwtSecret: string;
  /** The Stripe-compatible fake that its payments go to (production mode requires Stripe). */
  stripe: FakeStripe;
  /** A full garbage collection in the server, through its inspector: heap readings without yesterday's garbage. */
  collectGarbage(): Promise<void>;
  /** A Chrome DevTools Protocol session with the server (e.g. to profile a window of a scenario); close it when done. */
  inspect(): Promise<InspectorSession>;
}

/**
 * What a scenario gets: shared, lazily started infrastructure (a scenario that needs no server starts none),
 * and the report. Everything it starts is stopped by {@link BenchHarnessImpl.close}, whatever happens.
 */
export interface BenchHarness {
  readonly logger: Logger;
  readonly settings: LoadSettings;
  /** The scratch PostgreSQL server of this run (fsync off, deleted at the end). Started on first use. */
  postgres(): Promise<ScratchDatabase>;
  /** A new database on that server, with every migration applied; its URL. `name` must be a plain identifier. */
  createDatabase(name: string): Promise<string>;
  /**
   * The API in production mode (`node dist-bench/src/main.js`, the bench's own build) over a catalogue of {@link CATALOG_PRODUCTS} products,
   * reaching PostgreSQL through the statement counter. Started on first use, shared by every scenario:
   * a scenario that writes must leave the catalogue as it found it, or use a database of its own.
   */
  server(): Promise<BenchServer>;
  /** The API on a database of its own, shared by the scenarios that write (see {@link CommerceServer}). Started on first use. */
  commerceServer(): Promise<CommerceServer>;
  /**
   * The fake Stripe of this run (tests/utils/fake-stripe.ts, in this process): production servers need Stripe's keys,
   * and their payments must go somewhere on 127.0.0.1. Started on first use.
   */
  stripe(): Promise<FakeStripe>;
  /**
   * Another API process on a new database `name`, with `env` over the production defaults (e.g. NODE_ENV);
   * `script` another entry point of the bench's build (e.g. `WITHOUT_ENCRYPTION_JS` of server-process.ts).
   */
  extraServer(name: string, env: Record<string, string>, options?: { script?: string }): Promise<CommerceServer>;
  /**
   * The hand-written node:http + pg server (`raw-catalog-server.ts`) on the catalogue's database, through the same
   * statement counter: what `Catalog` and `Shops` cost without GraphQL, ORM or authentication. Started on first use.
   */
  rawCatalogServer(): Promise<LoadTarget>;
  /** `{ __typename }` under load: the ceiling of the HTTP and GraphQL stack. Measured once per run, reported once. */
  baseline(): Promise<LoadResult>;
  /**
   * Loads a server with one request (see {@link measureLoad}) and adds the result to the report. `target`: a
   * server the scenario started (a commerce or extra server); default the catalogue server of {@link server}.
   */
  measure(request: GraphqlRequest, target?: LoadTarget): Promise<LoadResult>;
  /** Adds a load that a scenario measured itself (e.g. checkouts, one buyer per request) to the report's table. */
  record(result: LoadResult): void;
  /** Adds a target, met or missed, to the report. A missed target is printed, never an error. */
  target(target: TargetOutcome): void;
}

export class BenchHarnessImpl implements BenchHarness {
  private database: Promise<ScratchDatabase> | undefined;
  private running: Promise<BenchServer> | undefined;
  private raw: Promise<LoadTarget> | undefined;
  private catalogCounter: StatementCounter | undefined;
  private commerce: Promise<CommerceServer> | undefined;
  private baselineResult: Promise<LoadResult> | undefined;
  private fakeStripe: Promise<FakeStripe> | undefined;
  private readonly cleanups: Array<() => Promise<void>> = [];
  /** What must not outlive the process even when it exits before {@link close} is done (see {@link onExit}). */
  private readonly exitCleanups: Array<() => void> = [];

  constructor(
    readonly logger: Logger,
    readonly settings: LoadSettings,
    private readonly report: Report,
  ) {}

  postgres(): Promise<ScratchDatabase> {
    return (this.database ??= startScratchDatabase(this.logger).then((database) => {
      this.cleanups.push(() => database.stop());
      this.exitCleanups.push(() => rmSync(database.dataDir, { recursive: true, force: true }));
      return database;
    }));
  }

  async createDatabase(name: string): Promise<string> {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
    const postgres = await this.postgres();
    const admin = new Client({ connectionString: postgres.adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const url = new URL(postgres.url);
    url.pathname = `/${name}`;
    const orm = await openDatabase({ url: url.toString(), entities: moduleEntities, logger: this.logger });
    await orm.close();
    return url.toString();
  }

  server(): Promise<BenchServer> {
    return (this.running ??= this.startServer());
  }

  rawCatalogServer(): Promise<LoadTarget> {
    return (this.raw ??= this.server().then(async (api) => {
      const port = await freePort();
      log(`starting the hand-written node:http + pg server on 127.0.0.1:${port}`);
      const raw = await this.startProcess({ port, databaseUrl: this.catalogCounter!.url, script: RAW_CATALOG_SERVER_JS });
      return { graphqlUrl: raw.graphqlUrl, counter: api.counter, cpuSeconds: () => raw.cpuSeconds() };
    }));
  }

  commerceServer(): Promise<CommerceServer> {
    return (this.commerce ??= this.startCommerceServer());
  }

  stripe(): Promise<FakeStripe> {
    return (this.fakeStripe ??= startFakeStripe().then((fake) => {
      this.cleanups.push(() => fake.stop());
      return fake;
    }));
  }

  baseline(): Promise<LoadResult> {
    return (this.baselineResult ??= this.measure({ label: '{ __typename }', query: '{ __typename }' }));
  }

  async measure(request: GraphqlRequest, target?: LoadTarget): Promise<LoadResult> {
    const server = target ?? (await this.server());
    log(`measuring ${request.label}: ${this.settings.warmupSeconds} s warm-up, ${this.settings.durationSeconds} s measured, ${this.settings.connections} connections`);
    const result = await measureLoad(server, request, this.settings);
    this.report.addLoad(result);
    return result;
  }

  record(result: LoadResult): void {
    this.report.addLoad(result);
  }

  target(target: TargetOutcome): void {
    this.report.addTarget(target);
  }

  /**
   * Last resort, synchronous, for the process's `exit` event: on Ctrl-C the embedded PostgreSQL's own exit
   * hook stops the database and exits the process, possibly before {@link close} is done. Kills the server
   * if it still runs and removes the scratch data directory. Does nothing after a completed `close`.
   */
  onExit(): void {
    for (const cleanup of this.exitCleanups.splice(0).reverse()) {
      try {
        cleanup();
      } catch {
        // The process is exiting: nothing better to do.
      }
    }
  }

  /** Stops everything started, the last first; reports every failure but tries every step. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const cleanup of this.cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    this.cleanups.length = 0;
    this.exitCleanups.length = 0;
    if (errors.length) throw new AggregateError(errors, 'could not stop everything the benchmark started');
  }

  private async startServer(): Promise<BenchServer> {
    const postgres = await this.postgres();
    log(`seeding ${CATALOG_PRODUCTS} products`);
    // The artisans' display names are sealed with the servers' key ring, as the server seals them.
    await installServerCipher();
    const orm = await openDatabase({ url: postgres.url, entities: moduleEntities, logger: this.logger });
    try {
      await demoCatalogService.load(systemScope({ orm, clock: systemClock, logger: this.logger }, 'bench-seed'), { products: CATALOG_PRODUCTS });
      // What autovacuum would have done by the time a real catalogue is browsed: statistics, visibility map.
      await runSql(orm.em.fork(), 'vacuum analyze');
    } finally {
      await orm.close();
    }
    const counter = await startStatementCounter(postgres.url);
    this.cleanups.push(() => counter.close());
    this.catalogCounter = counter;
    const port = await freePort();
    log(`starting the server (production mode) on 127.0.0.1:${port}`);
    const server = await this.startProcess({ port, databaseUrl: counter.url, nodeArgs: serverNodeArgs() });
    return { graphqlUrl: server.graphqlUrl, baseUrl: server.baseUrl, counter, cpuSeconds: () => server.cpuSeconds() };
  }

  private startCommerceServer(): Promise<CommerceServer> {
    return this.extraServer('atelier_commerce', {});
  }

  async extraServer(name: string, env: Record<string, string>, options: { script?: string } = {}): Promise<CommerceServer> {
    const databaseUrl = await this.createDatabase(name);
    const counter = await startStatementCounter(databaseUrl);
    this.cleanups.push(() => counter.close());
    const port = await freePort();
    // The inspector, on 127.0.0.1 only, is how the benchmark triggers a GC in the server before reading its heap.
    const inspectorPort = await freePort();
    log(`starting a server (${env.NODE_ENV ?? 'production'} mode) on a database of its own on 127.0.0.1:${port}`);
    const server = await this.startProcess({ port, databaseUrl: counter.url, env, script: options.script, nodeArgs: [`--inspect=127.0.0.1:${inspectorPort}`, ...serverNodeArgs()] });
    return {
      graphqlUrl: server.graphqlUrl,
      baseUrl: server.baseUrl,
      wsUrl: server.graphqlUrl.replace(/^http/, 'ws'),
      counter,
      cpuSeconds: () => server.cpuSeconds(),
      databaseUrl,
      jwtSecret: BENCH_JWT_SECRET,
      stripe: await this.stripe(),
      collectGarbage: () => collectGarbage(inspectorPort),
      inspect: () => openInspectorSession(inspectorPort),
    };
  }

  private async startProcess(options: Parameters<typeof startServerProcess>[0]): Promise<ServerProcess> {
    const stripe = await this.stripe();
    // Stripe's keys go first, so that a scenario's env can take them away (the DEVELOPMENT provider).
    const env = { STRIPE_SECRET_KEY: stripe.apiKey, STRIPE_WEBHOOK_SECRET: stripe.webhookSecret, STRIPE_API_URL: stripe.url, ...options.env };
    const server = await startServerProcess({ ...options, env });
    this.cleanups.push(() => server.stop());
    this.exitCleanups.push(() => server.kill());
    return server;
  }
}

/** BENCH_SERVER_NODE_ARGS: node's flags for the servers alone, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
function serverNodeArgs(): string[] {
  return (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/** Progress goes to stderr, so that stdout holds the report alone. */
export function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
