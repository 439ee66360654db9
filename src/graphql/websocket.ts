import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { GraphQLError, getOperationAST, type GraphQLFormattedError, specifiedRules, type GraphQLSchema, type SelectionNode, type ValidationRule } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import type { ContextFactory } from './context';
import type { OperationRecord, RequestContext } from '../modules/request-context';
import { bearerToken, type AccessTokens } from '../modules/accounts/access-token';
import { UserStatus } from '../modules/accounts/user.entity';
import { AppError, ErrorCode } from '../shared/errors';
import { costExtension, type OperationAdmission } from './cost/operation-admission';
import type { BudgetCharge } from './cost/query-budget';
import { operationLabel } from './known-operations';
import type { LiveConnections } from '../infra/live-connections';
import { createCheckedDocumentCache } from './checked-document-cache';
import { enforceClientCaps, type WebSocketCaps } from './websocket-caps';
import { parseAndValidate, type CheckedDocument } from './websocket-documents';
import { subscribeWithEventChecks, type EventChecks } from './subscription-events';

/** What the server is made of; `beforeSubscriptionEvent` and `watchAccount` are the per-event checks (subscription-events.ts). */
export interface WebSocketOptions extends Omit<EventChecks, 'socketOf'> {
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
  /** Credential fields, cost and budget, as on HTTP (see `createOperationAdmission`). */
  admit: OperationAdmission;
  /** The client's address for the upgrade request: the same `TRUST_PROXY` rule as HTTP's `req.ip`. */
  clientAddressOf: (request: IncomingMessage) => string | null;
  /** Production: validation errors lose their "Did you mean …" suggestions, as Apollo's are. */
  hideSchemaDetails: boolean;
  caps: WebSocketCaps;
}

/**
 * graphql-ws on the HTTP server's `/graphql` path. Every operation is parsed with the token cap, validated
 * with the HTTP path's rules, and given a context of its own (a forked EntityManager, fresh loaders).
 */
export function createWebSocketServer(options: WebSocketOptions) {
  // Upgrades are handed over by hand (`noServer`) rather than with `server:`, with which `ws` re-emits every error of
  // the HTTP server, a port in use included, and graphql-ws prints those as "Internal error emitted on the WebSocket
  // server" with a stack trace, burying the listener's own message (`PORT 4000 is in use: set PORT`).
  const wsServer = new WebSocketServer({ noServer: true, path: '/graphql', maxPayload: options.maxPayloadBytes });
  options.httpServer.on('upgrade', (request, socket, head) => {
    // Another path is answered 400 by handleUpgrade, as `server:` mode does.
    wsServer.handleUpgrade(request, socket, head, (client) => wsServer.emit('connection', client, request));
  });
  const rules = [...specifiedRules, ...options.validationRules];
  const log = options.logger.child({ component: 'graphql-ws' });
  // The record of each running operation, by connection then id: onComplete is given neither context nor result.
  const running = new WeakMap<object, Map<string, OperationRecord>>();
  // The socket of each subscription's context, for the per-event check to close.
  const socketOf = new WeakMap<RequestContext, WebSocket>();
  // The topic (subscription field) of each running subscription, by connection then id, for the gauge; a
  // connection's entry goes when it closes, whether or not graphql-ws completed its subscriptions first.
  const subscriptionTopics = new Map<object, Map<string, string>>();
  options.metrics.sources.liveSubscriptions = () => {
    const counts = new Map<string, number>();
    for (const topics of subscriptionTopics.values()) for (const topic of topics.values()) counts.set(topic, (counts.get(topic) ?? 0) + 1);
    return counts;
  };

  const { caps } = options;
  const checkedDocuments = createCheckedDocumentCache(caps.documentCacheBytes, (query): CheckedDocument =>
    parseAndValidate(options.schema, query, rules, options.hideSchemaDetails),
  );
  // The budget's charge of each running operation, for `extensions.cost` of its results.
  const charges = new WeakMap<RequestContext, BudgetCharge>();
  const clientCaps = enforceClientCaps(wsServer, options.caps, options.clientAddressOf);
  const cleanup = useServer<Record<string, unknown>>(
    {
      schema: options.schema,
      // A token given in connection_init must be valid and of a live session, or the socket is closed with 4401
      // (refresh or log in, then reconnect); a banned user's is closed with 4403. Without one the connection is anonymous. Role, status and
      // session are checked again for each operation (its context) and before each subscription event.
      onConnect: async (ctx) => {
        // The client's address as TRUST_PROXY reads it, as for budgets and caps (not the proxy's).
        const clientAddress = clientCaps.addressOf(ctx.extra.socket);
        const authorization = ctx.connectionParams?.authorization;
        if (authorization === undefined || authorization === null || authorization === '') {
          log.info({ clientAddress, userId: null }, 'websocket connected');
          return true;
        }
        const token = bearerToken(authorization);
        const claims = token === null ? 'INVALID' : await options.accessTokens.verify(token);
        if (typeof claims === 'string') {
          // The reason, never the token.
          log.info({ clientAddress, reason: token === null ? 'MALFORMED_AUTHORIZATION' : `TOKEN_${claims}` }, 'websocket refused');
          return unauthorized(ctx.extra.socket);
        }
        if (!clientCaps.admitUser(ctx.extra.socket, claims.userId)) {
          log.info({ clientAddress, userId: claims.userId, reason: 'TOO_MANY_SOCKETS_FOR_USER' }, 'websocket refused');
          return false;
        }
        // Registered before the database is read: a ban that commits after that read still finds this socket.
        options.connections.add(claims.userId, ctx.extra.socket);
        const { viewer } = await options.createContext({
          requestId: randomUUID(),
          authorization,
          clientAddress,
        });
        const reason = viewer === null ? 'SESSION_ENDED' : viewer.status !== UserStatus.ACTIVE ? `ACCOUNT_${viewer.status}` : null;
        if (reason) log.info({ clientAddress, userId: claims.userId, reason }, 'websocket refused');
        else log.info({ clientAddress, userId: claims.userId }, 'websocket connected');
        // No session (ended, or its user gone): log in again, 4401. A banned user: 4403 (graphql-ws's own refusal).
        if (viewer === null) return unauthorized(ctx.extra.socket);
        return reason === null;
      },
      onClose: (ctx, code, reason) => {
        options.connections.remove(ctx.extra.socket);
        subscriptionTopics.delete(ctx);
        log.info({ clientAddress: clientCaps.addressOf(ctx.extra.socket), code, reason: String(reason ?? '') || undefined }, 'websocket closed');
      },
      // Before each event: the subscriber's session, status and role, then the rule that admitted it (subscription-events.ts).
      subscribe: subscribeWithEventChecks({
        beforeSubscriptionEvent: options.beforeSubscriptionEvent,
        watchAccount: options.watchAccount,
        socketOf: (subscription) => socketOf.get(subscription),
      }),
      onSubscribe: async (ctx, id, payload) => {
        if (Object.keys(ctx.subscriptions).length > caps.maxSubscriptionsPerSocket) {
          return [
            new AppError(ErrorCode.RATE_LIMITED, `At most ${caps.maxSubscriptionsPerSocket} operations at once on one socket`, {
              retryAfterSeconds: 1,
              reason: 'TOO_MANY_SUBSCRIPTIONS',
            }),
          ];
        }
        const checked = checkedDocuments.get(payload.query);
        if (checked.errors) return checked.errors;
        const document = checked.document;
        const contextValue = await options.createContext({
          requestId: randomUUID(),
          authorization: ctx.connectionParams?.authorization,
          clientAddress: clientCaps.addressOf(ctx.extra.socket),
        });
        const admission = await options.admit(contextValue, document, payload.operationName, payload.variables);
        if (admission.error) return [admission.error];
        if (admission.charge) charges.set(contextValue, admission.charge);
        // The name in the document, as on HTTP: graphql-ws clients seldom send `operationName`.
        contextValue.operation.name = getOperationAST(document, payload.operationName)?.name?.value;
        if (!running.has(ctx)) running.set(ctx, new Map());
        running.get(ctx)!.set(id, contextValue.operation);
        socketOf.set(contextValue, ctx.extra.socket);
        const operation = getOperationAST(document, payload.operationName);
        const topic = operation?.operation === 'subscription' ? firstFieldName(operation.selectionSet.selections) : undefined;
        if (topic) {
          if (!subscriptionTopics.has(ctx)) subscriptionTopics.set(ctx, new Map());
          subscriptionTopics.get(ctx)!.set(id, topic);
        }
        return {
          schema: options.schema,
          document,
          variableValues: payload.variables,
          operationName: payload.operationName,
          contextValue,
        };
      },
      onNext: (ctx, id, _payload, args, result) => {
        const charge = charges.get(args.contextValue as RequestContext);
        const withCost = charge ? { ...result, extensions: { ...result.extensions, cost: costExtension(charge) } } : undefined;
        if (!result.errors?.length) return withCost;
        const errors = result.errors.map((error) => options.formatError(error));
        const record = running.get(ctx)?.get(id);
        if (record && !record.outcome) record.outcome = String(errors[0]?.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
        return { ...(withCost ?? result), errors };
      },
      onError: (_ctx, _id, payload, errors) => {
        const formatted = errors.map((error) => options.formatError(error));
        options.metrics.graphqlOperations.inc({
          operation: operationLabel(payload.operationName),
          transport: 'ws',
          outcome: String(formatted[0]?.extensions?.code ?? 'INTERNAL_SERVER_ERROR'),
        });
        return formatted;
      },
      onComplete: (ctx, id, payload) => {
        const record = running.get(ctx)?.get(id);
        running.get(ctx)?.delete(id);
        subscriptionTopics.get(ctx)?.delete(id);
        options.metrics.graphqlOperations.inc({
          operation: operationLabel(record?.name ?? payload.operationName),
          transport: 'ws',
          outcome: record?.outcome ?? 'ok',
        });
      },
    },
    wsServer,
  );
  wsServer.on('error', (error) => log.error({ err: error }, 'WebSocket server error'));
  options.metrics.sources.websocketConnections = () => wsServer.clients.size;
  options.metrics.sources.websocketDocumentCacheBytes = () => checkedDocuments.bytes();

  return {
    wsServer,
    /** Closes every socket (1001 Going Away) and stops accepting new ones. */
    dispose: async () => {
      await cleanup.dispose();
    },
  };
}

/**
 * Closes with 4401 Unauthorized: the token expired, is not valid, or its session ended. graphql-ws's own refusal
 * (`onConnect` returning false) is 4403, which the contract keeps for banned accounts.
 */
function unauthorized(socket: WebSocket): false {
  socket.close(CloseCode.Unauthorized, 'Unauthorized');
  return false;
}

/** The name of the first field selected (a subscription selects exactly one root field). */
function firstFieldName(selections: readonly SelectionNode[]): string | undefined {
  const field = selections.find((selection) => selection.kind === 'Field');
  return field?.kind === 'Field' ? field.name.value : undefined;
}
