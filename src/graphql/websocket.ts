import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { GraphQLError, getOperationAST, parse, type GraphQLFormattedError, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type SelectionNode, type ValidationRule } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import { contextForEvent, type ContextFactory } from './context';
import type { OperationRecord, RequestContext } from '../modules/request-context';
import { bearerToken, type AccessTokens } from '../modules/accounts/access-token';
import { UserStatus } from '../modules/accounts/user.entity';
import type { Viewer } from '../modules/accounts/viewer';
import { AppError, ErrorCode } from '../shared/errors';
import { costExtension, type OperationAdmission } from './cost/operation-admission';
import type { BudgetCharge } from './cost/query-budget';
import { withoutSuggestions } from './format-error';
import { operationLabel } from './known-operations';
import type { LiveConnections } from '../infra/live-connections';
import { createCheckedDocumentCache } from './checked-document-cache';
import { QUERY_LIMITS } from './query-limits';
import { guardedSubscribe } from './subscription-guard';
import { eventAuthorizationOf } from '../shared/event-authorization';

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
   * Called before each event of a subscription is executed, with the subscription's context: the subscriber as it
   * is now (null when anonymous), whom the event's own context then carries; or an error (the session ended, the
   * user was banned), which ends the subscription, then closes the socket with 4403. A throw ends the subscription
   * with an error.
   */
  beforeSubscriptionEvent: (subscription: RequestContext) => Promise<Viewer | null | GraphQLError>;
  /**
   * Calls `changed` each time an operator changes the account of `viewer` (role, status) from now on; returns the
   * function that stops. A subscription with a rule of its own (authorizeEachEvent) is checked again at once then.
   */
  watchAccount: (viewer: Viewer, changed: () => void) => () => void;
  /** Credential fields, cost and budget, as on HTTP (see `createOperationAdmission`). */
  admit: OperationAdmission;
  /** The client's address for the upgrade request: the same `TRUST_PROXY` rule as HTTP's `req.ip`. */
  clientAddressOf: (request: IncomingMessage) => string | null;
  /** Production: validation errors lose their "Did you mean …" suggestions, as Apollo's are. */
  hideSchemaDetails: boolean;
  caps: WebSocketCaps;
}

/** Limits on what one client may hold open over WebSocket (`WS_*` variables). */
export interface WebSocketCaps {
  /** Subscriptions (and running operations) one socket may hold at once; beyond, RATE_LIMITED. Default 100. */
  maxSubscriptionsPerSocket: number;
  /** Sockets open at once from one client address; beyond, the new one is closed with 4429. Default 50. */
  maxSocketsPerAddress: number;
  /** Sockets open at once for one user; beyond, the new one is closed with 4429 at `connection_init`. Default 20. */
  maxSocketsPerUser: number;
  /** Messages per second one socket may send (as a burst, or sustained); beyond, it is closed with 4429. Default 50. */
  maxMessagesPerSecond: number;
  /** Bytes the cache of parsed documents may hold, text and syntax tree (8 per character, see checked-document-cache.ts). Default 5 MB. */
  documentCacheBytes: number;
}

/** graphql-ws's own "too many" close code, reused for every per-client cap. */
export const TOO_MANY_CLOSE_CODE = 4429;

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
  // Sockets per address and per user, and each socket's message allowance.
  const socketsByAddress = new Map<string, number>();
  const socketsByUser = new Map<string, number>();
  const addressOfSocket = new WeakMap<WebSocket, string | null>();
  const userOfSocket = new WeakMap<WebSocket, string>();
  const release = (counts: Map<string, number>, key: string) => {
    const left = (counts.get(key) ?? 1) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
  };
  // Registered before graphql-ws's own listener, so that a socket over a cap is closed before it is served.
  wsServer.on('connection', (socket, request) => {
    const address = options.clientAddressOf(request);
    addressOfSocket.set(socket, address);
    const addressKey = address ?? 'unknown';
    const open = (socketsByAddress.get(addressKey) ?? 0) + 1;
    socketsByAddress.set(addressKey, open);
    socket.once('close', () => {
      release(socketsByAddress, addressKey);
      const userId = userOfSocket.get(socket);
      if (userId) release(socketsByUser, userId);
    });
    if (open > caps.maxSocketsPerAddress) {
      socket.close(TOO_MANY_CLOSE_CODE, 'Too many sockets from this address');
      return;
    }
    // A token bucket of `maxMessagesPerSecond`, refilled continuously.
    let allowance = caps.maxMessagesPerSecond;
    let last = Date.now();
    socket.on('message', () => {
      const now = Date.now();
      allowance = Math.min(caps.maxMessagesPerSecond, allowance + ((now - last) / 1_000) * caps.maxMessagesPerSecond);
      last = now;
      allowance -= 1;
      if (allowance < 0) socket.close(TOO_MANY_CLOSE_CODE, 'Too many messages');
    });
  });

  const cleanup = useServer<Record<string, unknown>>(
    {
      schema: options.schema,
      // A token given in connection_init must be valid and of a live session, or the socket is closed with 4401
      // (refresh or log in, then reconnect); a banned user's is closed with 4403. Without one the connection is anonymous. Role, status and
      // session are checked again for each operation (its context) and before each subscription event.
      onConnect: async (ctx) => {
        const clientAddress = ctx.extra.request.socket.remoteAddress ?? null;
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
        const socketsOfUser = (socketsByUser.get(claims.userId) ?? 0) + 1;
        socketsByUser.set(claims.userId, socketsOfUser);
        userOfSocket.set(ctx.extra.socket, claims.userId);
        if (socketsOfUser > caps.maxSocketsPerUser) {
          log.info({ clientAddress, userId: claims.userId, reason: 'TOO_MANY_SOCKETS_FOR_USER' }, 'websocket refused');
          ctx.extra.socket.close(TOO_MANY_CLOSE_CODE, 'Too many sockets for this user');
          return false;
        }
        // Registered before the database is read: a ban that commits after that read still finds this socket.
        options.connections.add(claims.userId, ctx.extra.socket);
        const { viewer } = await options.createContext({
          requestId: randomUUID(),
          authorization,
          clientAddress: addressOfSocket.get(ctx.extra.socket) ?? null,
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
        log.info({ clientAddress: ctx.extra.request.socket.remoteAddress ?? null, code, reason: String(reason ?? '') || undefined }, 'websocket closed');
      },
      // Before each event: the subscriber's session and status (and current role), then, in the event's own context
      // with that current viewer, the rule that admitted the subscription (see authorizeEachEvent). Either refusal
      // ends it with its error.
      subscribe: guardedSubscribe(async (args) => {
        const subscription = args.contextValue as RequestContext;
        const viewer = await options.beforeSubscriptionEvent(subscription);
        if (viewer instanceof GraphQLError) {
          return { error: viewer, afterDelivery: () => socketOf.get(subscription)?.close(CloseCode.Forbidden, 'Forbidden') };
        }
        const eventContext = contextForEvent(subscription, viewer);
        const authorizeEvent = eventAuthorizationOf(subscription);
        try {
          await authorizeEvent?.(eventContext);
        } catch (error) {
          if (error instanceof AppError) return { error };
          throw error;
        }
        // An anonymous subscriber with no rule of its own sees what every anonymous subscriber of the same
        // operation and variables sees: one execution per event serves them all (see EventAdmission.shareKey).
        const shareKey = viewer === null && !authorizeEvent ? anonymousShareKey(subscription, args) : undefined;
        return { contextValue: eventContext, shareKey };
      }, ({ contextValue }, recheck) => {
        // A role change ends a demoted subscriber's feed at once, not at its next event (a ban also closes the socket).
        const { viewer } = contextValue as RequestContext;
        if (!viewer || !eventAuthorizationOf(contextValue as RequestContext)) return undefined;
        return options.watchAccount(viewer, recheck);
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
          clientAddress: addressOfSocket.get(ctx.extra.socket) ?? null,
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

/** A number per parsed document: the cache of checked documents hands the same object to every use of one text. */
const documentIds = new WeakMap<DocumentNode, number>();
let lastDocumentId = 0;
/** Each subscription's key, made at its first event: its document, operation and variables never change. */
const shareKeys = new WeakMap<RequestContext, string>();

/** What an anonymous subscription's results depend on besides the event: its document, operation and variables. */
function anonymousShareKey(subscription: RequestContext, args: { document: DocumentNode; operationName?: string | null; variableValues?: unknown }): string {
  let key = shareKeys.get(subscription);
  if (key === undefined) {
    let id = documentIds.get(args.document);
    if (id === undefined) documentIds.set(args.document, (id = ++lastDocumentId));
    shareKeys.set(subscription, (key = `${id}:${args.operationName ?? ''}:${JSON.stringify(args.variableValues ?? null)}`));
  }
  return key;
}

/** The name of the first field selected (a subscription selects exactly one root field). */
function firstFieldName(selections: readonly SelectionNode[]): string | undefined {
  const field = selections.find((selection) => selection.kind === 'Field');
  return field?.kind === 'Field' ? field.name.value : undefined;
}

type CheckedDocument = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };

/** Parses with the token cap and validates with the HTTP path's rules. */
function parseAndValidate(schema: GraphQLSchema, query: string, rules: readonly ValidationRule[], hideSchemaDetails: boolean): CheckedDocument {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: QUERY_LIMITS.maxTokens });
  } catch (error) {
    return { errors: [error instanceof GraphQLError ? error : new GraphQLError('Could not parse the operation')] };
  }
  const errors = validate(schema, document, rules);
  return errors.length ? { errors: errors.map((error) => asValidationError(error, hideSchemaDetails)) } : { document };
}

/**
 * graphql-ws passes validation errors on as graphql-js makes them, with no code; Apollo's HTTP path gives them
 * GRAPHQL_VALIDATION_FAILED. Without it the error formatter takes them for bugs: INTERNAL_SERVER_ERROR, logged.
 */
function asValidationError(error: GraphQLError, hideSchemaDetails: boolean): GraphQLError {
  return new GraphQLError(hideSchemaDetails ? withoutSuggestions(error.message) : error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
  });
}
