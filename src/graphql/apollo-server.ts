import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import type { Config } from '../config/config';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import type { CatalogVersion } from '../modules/catalog/catalog-version';
import type { RequestContext } from '../modules/request-context';
import type { OperationAdmission } from './cost/operation-admission';
import type { QueryBudget } from './cost/query-budget';
import type { createErrorFormatter } from './format-error';
import type { PersistedQueryCache } from './persisted-queries';
import { httpCachePlugin } from './plugins/http-cache.plugin';
import { legacyJsonStatusPlugin } from './plugins/legacy-json-status.plugin';
import { operationOutcomePlugin } from './plugins/operation-outcome.plugin';
import { publicResponseCachePlugin } from './plugins/public-response-cache.plugin';
import { queryBudgetPlugin } from './plugins/query-budget.plugin';
import { serviceUnavailablePlugin } from './plugins/service-unavailable.plugin';
import { QUERY_LIMITS } from './query-limits';

export interface ApolloServerDeps {
  schema: GraphQLSchema;
  /** The query limits, the same as graphql-ws's. */
  validationRules: ValidationRule[];
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** Drained on stop: in-flight requests finish within SHUTDOWN_GRACE_MS. */
  httpServer: Server;
  formatError: ReturnType<typeof createErrorFormatter>;
  /** Closes the WebSockets (1001) when Apollo drains. */
  drainWebSockets: () => Promise<void>;
  /** What the public response cache of the catalogue keys its answers on. */
  catalogVersion: CatalogVersion;
  admit: OperationAdmission;
  budget: QueryBudget | null;
  /** Automatic persisted queries: the texts in a bounded in-process cache, or shared through Redis between instances. */
  persistedQueryCache: PersistedQueryCache;
}

/** Apollo Server 5 for `/graphql` over HTTP, with our plugins in the order they must run. Not started. */
export function createApolloServer(deps: ApolloServerDeps): ApolloServer<RequestContext> {
  const { config, metrics } = deps;
  return new ApolloServer<RequestContext>({
    schema: deps.schema,
    validationRules: deps.validationRules,
    parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Automatic persisted queries, over POST and GET.
    persistedQueries: { cache: deps.persistedQueryCache },
    csrfPrevention: true,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    // main.ts owns SIGTERM/SIGINT. Apollo's own handler (on by default outside NODE_ENV=test) stops the server,
    // then re-sends the signal to the process: main.ts took that for a second Ctrl-C and exited 1 mid-drain.
    stopOnTerminationSignals: false,
    formatError: deps.formatError,
    logger: deps.logger,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: deps.httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      { async serverWillStart() { return { drainServer: deps.drainWebSockets }; } },
      config.isProduction ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      operationOutcomePlugin(metrics),
      legacyJsonStatusPlugin(),
      serviceUnavailablePlugin(),
      // Apollo's cache-control plugin runs inside httpCachePlugin, for anonymous requests only.
      ApolloServerPluginCacheControlDisabled(),
      httpCachePlugin(),
      ...(config.catalogCacheTtlSeconds > 0
        ? [publicResponseCachePlugin({ version: deps.catalogVersion, ttlSeconds: config.catalogCacheTtlSeconds, metrics })]
        : []),
      // After the cache: a cached answer is charged too, and its cost is never stored in the cache.
      queryBudgetPlugin(deps.admit, deps.budget),
    ],
  });
}
