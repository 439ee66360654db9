import type { Server as HttpServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { GraphQLError, getOperationAST, parse, type GraphQLFormattedError, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { LRUCache } from 'lru-cache';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import type { ContextFactory, OperationRecord, RequestContext } from './context';
import { bearerToken, type AccessTokens } from '../modules/accounts/access-token';
import { UserStatus } from '../modules/accounts/user.entity';
import { AppError, ErrorCode } from './errors';
import type { LiveConnections } from './live-connections';
import { QUERY_LIMITS } from './query-limits';
import { guardedSubscribe } from './subscription-guard';
import { eventAuthorizationOf } from './subscription-scope';

export interface WebSocketOptions {
  httpServer: HttpServer;
  schema: GraphQLSchema;
  /** The same limits and introspection rule as the HTTP path: Apollo's settings do not reach graphql-ws. */
  validationRules: ValidationRule[];
  createContext: ContextFactory;
  accessTokens: AccessTokens;
  formatError: (error: GraphQLError) => GraphQLFormattedError;
  logger: Logger;
  metrics: Metrics;
  /** Largest accepted WebSocket message, in bytes (`ws` accepts 100 MiB by default). */
  maxPayloadBytes: number;
  /** Where the sockets of logged-in users are registered, so that a ban can close them. */
  connections: LiveConnections;
  /**
   * Called before each event of a subscription is executed: an error (the session ended, the user was banned) ends
   * the subscription with it, then closes the socket with 4403. A throw ends the subscription with an error.
   */
  beforeSubscriptionEvent: (ctx: RequestContext) => Promise<true | GraphQLError>;
}

/**
 * graphql-ws on the HTTP server's `/graphql` path. Every operation is parsed with the token cap, validated
 * with the HTTP path's rules, and given a context of its own (a forked EntityManager, fresh loaders).
 */
export function createWebSocketServer(options: WebSocketOptions) {
  const wsServer = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: options.maxPayloadBytes });
  const rules = [...specifiedRules, ...options.validationRules];
  const log = options.logger.child({ component: 'graphql-ws' });
  // The record of each running operation, by connection then id: onComplete is given neither context nor result.
  const running = new WeakMap<object, Map<string, OperationRecord>>();
  // The socket of each subscription's context, for the per-event check to close.
  const socketOf = new WeakMap<RequestContext, WebSocket>();

  // Dashboards send the same subscription by the thousand: each text is parsed and validated once, and its
  // document shared, which spares both the CPU and a copy of the syntax tree per subscription.
  const checkedDocuments = new LRUCache<string, CheckedDocument>({ max: 1_000 });
  const checkDocument = (query: string): CheckedDocument => {
    let checked = checkedDocuments.get(query);
    if (!checked) {
      checked = parseAndValidate(options.schema, query, rules);
      checkedDocuments.set(query, checked);
    }
    return checked;
  };

  const cleanup = useServer<Record<string, unknown>>(
    {
      schema: options.schema,
      // A token given in connection_init must be valid, of a live session and of a user who is not banned, or
      // the socket is closed with 4403 (Forbidden). Without one the connection is anonymous. Role, status and
      // session are checked again for each operation (its context) and before each subscription event.
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        if (authorization === undefined || authorization === null || authorization === '') return true;
        const token = bearerToken(authorization);
        const claims = token === null ? 'INVALID' : await options.accessTokens.verify(token);
        if (typeof claims === 'string') return false;
        // Registered before the database is read: a ban that commits after that read still finds this socket.
        options.connections.add(claims.userId, ctx.extra.socket);
        const { viewer } = await options.createContext({
          requestId: randomUUID(),
          authorization,
          clientAddress: ctx.extra.request.socket.remoteAddress ?? null,
        });
        return viewer !== null && viewer.status === UserStatus.ACTIVE;
      },
      onClose: (ctx) => {
        options.connections.remove(ctx.extra.socket);
      },
      // Before each event: the subscriber's session and status (and current role), then the rule that admitted the
      // subscription, against that current viewer (see authorizeEachEvent). Either refusal ends it with its error.
      subscribe: guardedSubscribe(async (args) => {
        const contextValue = args.contextValue as RequestContext;
        const viewerCheck = await options.beforeSubscriptionEvent(contextValue);
        if (viewerCheck !== true) {
          return { error: viewerCheck, afterDelivery: () => socketOf.get(contextValue)?.close(CloseCode.Forbidden, 'Forbidden') };
        }
        try {
          await eventAuthorizationOf(contextValue)?.(contextValue);
        } catch (error) {
          if (error instanceof AppError) return { error };
          throw error;
        }
        return true;
      }),
      onSubscribe: async (ctx, id, payload) => {
        const checked = checkDocument(payload.query);
        if (checked.errors) return checked.errors;
        const document = checked.document;
        const contextValue = await options.createContext({
          requestId: randomUUID(),
          authorization: ctx.connectionParams?.authorization,
          clientAddress: ctx.extra.request.socket.remoteAddress ?? null,
        });
        // The name in the document, as on HTTP: graphql-ws clients seldom send `operationName`.
        contextValue.operation.name = getOperationAST(document, payload.operationName)?.name?.value;
        if (!running.has(ctx)) running.set(ctx, new Map());
        running.get(ctx)!.set(id, contextValue.operation);
        socketOf.set(contextValue, ctx.extra.socket);
        return {
          schema: options.schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue,
        };
      },
      onNext: (ctx, id, _payload, _args, result) => {
        if (!result.errors?.length) return;
        const errors = result.errors.map((error) => options.formatError(error));
        const record = running.get(ctx)?.get(id);
        if (record && !record.outcome) record.outcome = String(errors[0]?.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
        return { ...result, errors };
      },
      onError: (_ctx, _id, payload, errors) => {
        const formatted = errors.map((error) => options.formatError(error));
        options.metrics.graphqlOperations.inc({
          operation: payload.operationName ?? 'anonymous',
          transport: 'ws',
          outcome: String(formatted[0]?.extensions?.code ?? 'INTERNAL_SERVER_ERROR'),
        });
        return formatted;
      },
      onComplete: (ctx, id, payload) => {
        const record = running.get(ctx)?.get(id);
        running.get(ctx)?.delete(id);
        options.metrics.graphqlOperations.inc({
          operation: record?.name ?? payload.operationName ?? 'anonymous',
          transport: 'ws',
          outcome: record?.outcome ?? 'ok',
        });
      },
    },
    wsServer,
  );
  wsServer.on('error', (error) => log.error({ err: error }, 'WebSocket server error'));

  return {
    wsServer,
    /** Closes every socket (1001 Going Away) and stops accepting new ones. */
    dispose: async () => {
      await cleanup.dispose();
    },
  };
}

type CheckedDocument = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };

/** Parses with the token cap and validates with the HTTP path's rules. */
function parseAndValidate(schema: GraphQLSchema, query: string, rules: readonly ValidationRule[]): CheckedDocument {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: QUERY_LIMITS.maxTokens });
  } catch (error) {
    return { errors: [error instanceof GraphQLError ? error : new GraphQLError('Could not parse the operation')] };
  }
  const errors = validate(schema, document, rules);
  return errors.length ? { errors: errors.map(asValidationError) } : { document };
}

/**
 * graphql-ws passes validation errors on as graphql-js makes them, with no code; Apollo's HTTP path gives them
 * GRAPHQL_VALIDATION_FAILED. Without it the error formatter takes them for bugs: INTERNAL_SERVER_ERROR, logged.
 */
function asValidationError(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
  });
}
