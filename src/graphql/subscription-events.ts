import { GraphQLError, type DocumentNode } from 'graphql';
import { CloseCode } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { Viewer } from '../modules/accounts/viewer';
import type { RequestContext } from '../modules/request-context';
import { AppError, ErrorCode } from '../shared/errors';
import { eventAuthorizationOf } from '../shared/event-authorization';
import { contextForEvent, releaseSubscribeState } from './context';
import { guardedSubscribe } from './subscription-guard';

export interface EventChecks {
  /** The subscriber as it is now (null when anonymous), or the error that ends its subscriptions (see `createSubscriptionViewerCheck`). */
  beforeSubscriptionEvent: (subscription: RequestContext) => Promise<Viewer | null | GraphQLError>;
  /** Calls `changed` at each change of the viewer's account from now on; returns the function that stops. */
  watchAccount: (viewer: Viewer, changed: () => void) => () => void;
  /** The socket a subscription came on, to close once a ban or an ended session's error is delivered. */
  socketOf: (subscription: RequestContext) => WebSocket | undefined;
}

/**
 * graphql-ws's `subscribe` for every subscription: before each event, the subscriber's session, status and current
 * role are read again (batched across subscribers), the event gets a context of its own with that viewer
 * (`contextForEvent`), and the rule that admitted the subscription (`authorizeEachEvent`) is evaluated in it. A
 * refusal ends the subscription with its error; an ended session (UNAUTHENTICATED) then closes the socket with 4401
 * and a ban (FORBIDDEN) with 4403, the contract's close codes (see {@link closeCodeOf}). A change of the subscriber's
 * account runs the same checks at once, for subscriptions with a rule of their own.
 */
export function subscribeWithEventChecks(checks: EventChecks) {
  return guardedSubscribe(
    async (args) => {
      const subscription = args.contextValue as RequestContext;
      const viewer = await checks.beforeSubscriptionEvent(subscription);
      if (viewer instanceof GraphQLError) {
        const close = closeCodeOf(viewer);
        return { error: viewer, afterDelivery: () => checks.socketOf(subscription)?.close(close.code, close.reason) };
      }
      const authorizeEvent = eventAuthorizationOf(subscription);
      if (viewer === null && !authorizeEvent) {
        // An anonymous subscriber with no rule of its own sees what every anonymous subscriber of the same operation
        // and variables sees: one execution per event serves them all, and only it needs a context (see shareKey).
        return { eventContext: () => contextForEvent(subscription, null), shareKey: anonymousShareKey(subscription, args) };
      }
      const eventContext = contextForEvent(subscription, viewer);
      try {
        await authorizeEvent?.(eventContext);
      } catch (error) {
        if (error instanceof AppError) return { error };
        throw error;
      }
      return { eventContext: () => eventContext };
    },
    ({ contextValue }, recheck) => {
      // A role change ends a demoted subscriber's feed at once, not at its next event (a ban also closes the socket).
      const { viewer } = contextValue as RequestContext;
      if (!viewer || !eventAuthorizationOf(contextValue as RequestContext)) return undefined;
      return checks.watchAccount(viewer, recheck);
    },
    // Each event has its own EntityManager and loaders: the ones `subscribe` used need not live as long as it.
    ({ contextValue }) => releaseSubscribeState(contextValue as RequestContext),
  );
}

/**
 * How a socket closes once the error that ended its subscriber was delivered: an ended session is 4401 as at
 * `connection_init` (its token no longer authenticates: refresh or log in, then reconnect), and only a ban is 4403,
 * so that a client never takes a log-out elsewhere for a ban.
 */
function closeCodeOf(error: GraphQLError): { code: CloseCode; reason: string } {
  return error.extensions.code === ErrorCode.UNAUTHENTICATED ? { code: CloseCode.Unauthorized, reason: 'Unauthorized' } : { code: CloseCode.Forbidden, reason: 'Forbidden' };
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
