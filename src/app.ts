import { createServer, type Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import proxyaddr from 'proxy-addr';
import type { GraphQLError } from 'graphql';
import type { Config } from './config/config';
import type { Database } from './infra/db/database';
import type { Logger } from './infra/logger';
import { createMetrics } from './infra/metrics';
import { poolUsage } from './infra/db/orm';
import { jobQueueDepth } from './infra/jobs';
import { paymentsByStatus } from './modules/payments/payment-metrics';
import { createInProcessPubSub, createRedisPubSub } from './infra/pubsub';
import { connectRedis, createRedisLink, disconnectRedis } from './infra/redis';
import { createAccessTokens } from './modules/accounts/access-token';
import { createAccountsRuntime } from './modules/accounts/accounts-runtime';
import { closeSocketsOfBannedUsers } from './modules/accounts/ban-enforcement';
import { createCatalogVersion, followCatalogChanges } from './modules/catalog/catalog-version';
import { createSubscriptionViewerCheck } from './modules/accounts/viewer-recheck';
import { systemClock, type Clock } from './shared/clock';
import { createContextFactory } from './graphql/context';
import { createErrorFormatter } from './graphql/format-error';
import { createPersistedQueryCache, createRedisPersistedQueryCache } from './graphql/persisted-queries';
import { contextFailure } from './graphql/plugins/service-unavailable.plugin';
import { queryLimitRules } from './graphql/query-limits';
import { createApolloServer } from './graphql/apollo-server';
import { buildAppSchema } from './graphql/schema';
import { createOperationAdmission } from './graphql/cost/operation-admission';
import { createQueryBudget } from './graphql/cost/query-budget';
import { createQueryCost } from './graphql/cost/query-cost';
import { createMetricsServer, metricsHandler } from './http/metrics-endpoint';
import { securityHeaders, EXPOSED_HEADERS } from './http/security-headers';
import { createWebSocketServer } from './graphql/websocket';
import { createLiveConnections } from './infra/live-connections';
import { budgetHeadersOnEveryAnswer } from './http/budget-headers';
import { bodyErrorHandler } from './http/body-errors';
import { startLiveEvents } from './live-events';
import { startWorker } from './worker';
import { createServices } from './modules';
import { createPaymentsRuntime } from './modules/payments/payments-runtime';
import { stripeWebhookRouter } from './modules/payments/stripe-webhook';
import { healthRouter } from './http/health';
import { dashboardRouter } from './http/dashboard';
import { requestLog } from './http/request-log';

export interface AppDeps {
  config: Config;
  logger: Logger;
  /** An open, migrated database; the app never closes it (whoever opened it does). */
  database: Database;
  /** Default: the system clock. */
  clock?: Clock;
}

export interface App {
  httpServer: Server;
  /** Starts listening on the configured host and port; resolves to the base URL (`http://host:port`). */
  listen(): Promise<string>;
  /**
   * Graceful stop: readiness turns false at once while everything else is still served for SHUTDOWN_DELAY_MS (the
   * load balancer's time to notice); then the listener closes, in-flight HTTP requests finish within the grace
   * period, WebSockets are closed with 1001 (Going Away), the workers finish their jobs. The database is left to
   * its owner.
   */
  stop(): Promise<void>;
  /** The server of `/metrics` when `METRICS_PORT` is set (listening once `listen` resolved), else null. */
  metricsServer: Server | null;
}

/** Assembles HTTP, Apollo Server and graphql-ws over one HTTP server. Nothing listens until `listen`. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, logger, database } = deps;
  const metrics = createMetrics();
  metrics.sources.databasePool = () => poolUsage(database.orm);
  metrics.sources.jobQueue = () => jobQueueDepth(database.orm.em.fork());
  metrics.sources.paymentsByStatus = () => paymentsByStatus(database.orm.em.fork());
  const clock = deps.clock ?? systemClock;
  if (config.auth.usesDevelopmentSecret) logger.warn('JWT_SECRET is not set: using the public development secret');
  const accessTokens = createAccessTokens({ secret: config.auth.jwtSecret, ttlSeconds: config.auth.accessTokenTtlSeconds, clock });
  // Shared between instances when REDIS_URL is set: pub/sub, and a client for limits and readiness.
  // Every command has a deadline (REDIS_COMMAND_TIMEOUT_MS): a frozen Redis must not hang a request.
  const redis = config.redisUrl
    ? createRedisLink(await connectRedis(config.redisUrl, logger, 'commands'), { timeoutMs: config.redisCommandTimeoutMs, logger })
    : null;
  const pubsub = config.redisUrl
    ? await createRedisPubSub(config.redisUrl, logger, { commandTimeoutMs: config.redisCommandTimeoutMs })
    : createInProcessPubSub();
  // Live subscriptions (stock, orders) and, unless RUN_WORKER=false, the job queue's workers.
  const live = await startLiveEvents({ config, database, pubsub, logger, metrics });
  const payments = createPaymentsRuntime({ config, logger, onCircuitChange: (state) => metrics.paymentCircuitOpen.set(state === 'closed' ? 0 : 1) });
  const accounts = createAccountsRuntime({ config, accessTokens, redis, logger });
  const catalogVersion = createCatalogVersion();
  await followCatalogChanges(catalogVersion, { pubsub, redis });
  // Made once: what every resolver, job and webhook calls.
  const services = createServices({ config, accounts, payments, live, catalogVersion });
  const schema = await buildAppSchema(services);
  const worker = config.jobs.runWorker
    ? await startWorker({
        services,
        databaseUrl: database.url,
        orm: database.orm,
        logger,
        clock,
        concurrency: config.jobs.concurrency,
        onEmailSent: (kind, transport) => metrics.emailsSent.inc({ kind, transport }),
        heartbeatMs: config.jobs.heartbeatMs,
        retention: config.retention,
        metrics,
      })
    : null;
  const createContext = createContextFactory({ orm: database.orm, logger, accessTokens, clock, viewerCache: accounts.viewerCache });
  const connections = closeSocketsOfBannedUsers(createLiveConnections(), live.accounts, logger);
  const formatError = createErrorFormatter({ logger, isProduction: config.isProduction });
  const validationRules = queryLimitRules({ blockIntrospection: config.isProduction });
  const budget = config.limits.queryBudget ? createQueryBudget({ ...config.limits.queryBudget, redis, logger }) : null;
  const admit = createOperationAdmission({ cost: createQueryCost(schema, config.limits.queryMaxCost), budget });
  let shuttingDown = false;

  const expressApp = express();
  expressApp.disable('x-powered-by');
  // No ETag hashed over every GraphQL answer: clients cache by normalised object, not by response, and the
  // hash cost about 1 % of an executed catalogue page's CPU. The dashboard's static files keep theirs (serve-static).
  expressApp.disable('etag');
  // One rule for the client's address, HTTP (`req.ip`) and WebSocket alike.
  expressApp.set('trust proxy', config.limits.trustProxy);
  const trustProxy = expressApp.get('trust proxy fn') as Parameters<typeof proxyaddr>[1];
  const httpServer = createServer(expressApp);
  const serveMetrics = metricsHandler(metrics, config.limits.metrics.token);
  const metricsServer = config.limits.metrics.port !== null ? createMetricsServer(serveMetrics) : null;

  const ws = createWebSocketServer({
    httpServer,
    schema,
    validationRules,
    createContext,
    accessTokens,
    formatError: (error: GraphQLError) => formatError(error.toJSON(), error),
    logger,
    metrics,
    maxPayloadBytes: config.maxBodyBytes,
    connections,
    beforeSubscriptionEvent: createSubscriptionViewerCheck(database.orm),
    watchAccount: (viewer, changed) => live.accounts.watch({ userId: viewer.userId, role: viewer.role, status: viewer.status }, changed),
    admit,
    clientAddressOf: (request) => proxyaddr(request, trustProxy) ?? null,
    hideSchemaDetails: config.isProduction,
    caps: config.limits.webSocket,
  });

  const apollo = createApolloServer({
    schema,
    validationRules,
    config,
    logger,
    metrics,
    httpServer,
    formatError,
    drainWebSockets: ws.dispose,
    catalogVersion,
    admit,
    budget,
    persistedQueryCache: redis ? createRedisPersistedQueryCache({ redis, logger }) : createPersistedQueryCache(),
  });
  await apollo.start();

  expressApp.use(requestLog(logger, metrics));
  expressApp.use(securityHeaders({ isProduction: config.isProduction, hstsMaxAgeSeconds: config.limits.hstsMaxAgeSeconds }));
  expressApp.use(
    healthRouter(
      [
        { name: 'postgres', check: () => database.orm.em.getConnection().execute('select 1') },
        ...(redis ? [{ name: 'redis', check: () => redis.client.ping() }] : []),
      ],
      () => shuttingDown,
    ),
  );
  expressApp.use(
    stripeWebhookRouter({
      orm: database.orm,
      webhookSecret: config.payments.webhookSecret,
      services,
      clock,
      logger,
      onDelivery: (result) => metrics.stripeWebhooks.inc({ result }),
    }),
  );
  // The live dashboard's static files at /dashboard/ (built into dist/dashboard by `npm run build`).
  expressApp.use(dashboardRouter());
  // On its own port when METRICS_PORT is set; else here, behind METRICS_TOKEN when set (production requires one of them).
  if (!metricsServer) expressApp.get('/metrics', serveMetrics);
  expressApp.use(
    '/graphql',
    ...(budget ? [budgetHeadersOnEveryAnswer(budget, accessTokens)] : []),
    // Credentials (the refresh cookie) only for listed origins: a browser never sends them to `*` anyway.
    cors({ origin: config.corsOrigins ?? '*', credentials: Boolean(config.corsOrigins), exposedHeaders: EXPOSED_HEADERS, maxAge: 600 }),
    // A public catalogue answer is for anonymous callers only: shared caches must not give it to a request with a token.
    (_req: express.Request, res: express.Response, next: express.NextFunction) => {
      res.vary('Authorization');
      next();
    },
    express.json({ limit: config.maxBodyBytes }),
    bodyErrorHandler,
    expressMiddleware(apollo, {
      context: ({ req, res }) =>
        createContext({
          requestId: req.id,
          authorization: req.headers.authorization,
          clientAddress: req.ip ?? null,
          operation: res.locals.operation,
          http: { header: (name) => req.get(name), appendSetCookie: (cookie) => res.append('Set-Cookie', cookie) },
        }).catch((error: unknown) => {
          throw contextFailure(error);
        }),
    }),
  );

  return {
    httpServer,
    listen: async () => {
      if (metricsServer) await new Promise<void>((resolve, reject) => metricsServer.once('error', reject).listen(config.limits.metrics.port!, config.host, resolve));
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          const { port } = httpServer.address() as AddressInfo;
          const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
          resolve(`http://${host}:${port}`);
        });
      });
    },
    metricsServer,
    stop: async () => {
      shuttingDown = true;
      if (config.shutdownDelayMs > 0) {
        logger.info({ shutdownDelayMs: config.shutdownDelayMs }, 'draining: /readyz answers 503, still serving until the delay ends');
        await delay(config.shutdownDelayMs);
      }
      metricsServer?.close();
      await apollo.stop();
      await worker?.stop();
      await live.stop();
      await pubsub.close();
      if (redis) await disconnectRedis(redis.client);
    },
  };
}
