import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { isSubscriptionOperation } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import { from, switchMap } from 'rxjs';
import type { ConnectionStatus } from './connection';
import { createFrameBatchingLink } from './frame-batching';
import { GRAPHQL_PATH, graphqlWebSocketUrl } from './graphql-http';
import { SIGN_OUT_REASONS, type Session } from './session';
import { stockLevelsFieldPolicy } from './stock-levels';

/** The contract's close codes (tests/contract/README.md): 4401 token refused or expired, 4403 banned. */
const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_FORBIDDEN = 4403;

/** Reconnection backoff: quick at first (a restarting server is back in a second or two), 5 s at most. */
export function reconnectDelayMs(retries: number): number {
  return Math.min(250 * 2 ** retries, 5_000) + Math.random() * 250;
}

export interface DashboardClient {
  client: ApolloClient;
  dispose(): void;
}

/**
 * Apollo Client for one signed-in session: queries and mutations over HTTP, subscriptions over graphql-ws
 * (`GraphQLWsLink`, split on the operation type), both carrying the session's in-memory access token. Server
 * verdicts end the session with their reason: a socket closed with 4403 or a FORBIDDEN `ACCOUNT_BANNED` (banned),
 * a refused session (ended); a 4401 (the socket's token or its session no longer authenticates) refreshes, which ends
 * a session that ended, and asks for a new client
 * through `onSocketRefused`, since graphql-ws gives up on a socket after 4401.
 */
export function createDashboardClient(deps: { session: Session; connection: ConnectionStatus; onSocketRefused(): void }): DashboardClient {
  const { session, connection } = deps;
  let disposed = false;
  const ws: Client = createClient({
    url: graphqlWebSocketUrl(),
    lazy: false,
    connectionParams: async () => ({ authorization: `Bearer ${await session.getAccessToken()}` }),
    retryAttempts: Infinity,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
    shouldRetry: (event) => (event as CloseEvent | undefined)?.code !== CLOSE_FORBIDDEN,
    // Pings keep proxies from closing an idle socket.
    keepAlive: 15_000,
    onNonLazyError: () => undefined,
    on: {
      connecting: (isRetry) => connection.set(isRetry ? 'reconnecting' : 'connecting'),
      connected: (_socket, _payload, wasRetry) => {
        connection.set('live');
        if (wasRetry) connection.resync('reconnected');
      },
      closed: (event) => {
        if (disposed) return;
        const code = (event as CloseEvent | undefined)?.code;
        if (code === CLOSE_FORBIDDEN) {
          void session.end(SIGN_OUT_REASONS.banned);
          return;
        }
        connection.set(navigator.onLine ? 'reconnecting' : 'offline');
        if (code === CLOSE_UNAUTHORIZED) {
          // The token died under a live socket: a fresh one and a new client, or the session is over (refresh ends it).
          session.getAccessToken({ force: true }).then(() => deps.onSocketRefused(), () => undefined);
        }
      },
    },
  });

  // The browser knows first when the network goes: say so at once rather than at the next failed retry.
  const wentOffline = () => connection.set('offline');
  window.addEventListener('offline', wentOffline);

  const auth = new SetContextLink(async (previous) => ({
    headers: { ...(previous.headers as Record<string, string> | undefined), authorization: `Bearer ${await session.getAccessToken()}` },
  }));

  const verdicts = new ErrorLink(({ error, operation, forward }) => {
    if (!CombinedGraphQLErrors.is(error)) return;
    const extensions = error.errors.map((e) => (e.extensions ?? {}) as { code?: string; reason?: string });
    if (extensions.some((e) => e.reason === 'ACCOUNT_BANNED')) {
      void session.end(SIGN_OUT_REASONS.banned);
      return;
    }
    if (extensions.some((e) => e.code === 'UNAUTHENTICATED' && e.reason === 'TOKEN_EXPIRED') && !isSubscriptionOperation(operation.query)) {
      // The clock of the page and the server's disagree: refresh now and send the operation once more.
      return from(session.getAccessToken({ force: true })).pipe(switchMap(() => forward(operation)));
    }
    if (extensions.some((e) => e.code === 'UNAUTHENTICATED')) {
      void session.end(SIGN_OUT_REASONS.ended);
      return;
    }
    // A FORBIDDEN that is not a ban may be a role change: the session re-reads the account and signs out if so.
    if (extensions.some((e) => e.code === 'FORBIDDEN')) void session.recheck();
  });

  const http = new HttpLink({ uri: GRAPHQL_PATH, credentials: 'same-origin' });
  const cache = new InMemoryCache({
    typePolicies: {
      // Each shop order is a part of an order, without an id of its own: it lives inside its list.
      ShopOrder: { keyFields: false },
      // The stock table's local read of products by id (stock-levels.ts), never sent to the server.
      Query: { fields: { dashboardStockLevels: stockLevelsFieldPolicy } },
    },
  });
  // Subscription events reach the cache once per frame, in one transaction (frame-batching.ts says why).
  const link = ApolloLink.from([
    createFrameBatchingLink(cache),
    verdicts,
    ApolloLink.split(({ query }) => isSubscriptionOperation(query), new GraphQLWsLink(ws), auth.concat(http)),
  ]);

  const client = new ApolloClient({ link, cache });
  return {
    client,
    dispose: () => {
      disposed = true;
      window.removeEventListener('offline', wentOffline);
      client.stop();
      void ws.dispose();
    },
  };
}
