import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { relayStylePagination } from '@apollo/client/utilities';
import { OperationTypeNode, print } from 'graphql';
import { createClient } from 'graphql-ws';
import { from, switchMap } from 'rxjs';
import WebSocket from 'ws';
import { RefreshSessionDocument, type RefreshSessionMutation } from '../generated/graphql';

/** What the storefront keeps of its session (a browser would keep the refresh token in an httpOnly cookie). */
export interface StorefrontSession {
  accessToken: string | null;
  refreshToken: string | null;
}

/** One HTTP exchange as the browser's network tab shows it. */
export interface NetworkEntry {
  method: string;
  url: string;
  status: number;
  cacheControl: string | null;
}

export interface Storefront {
  client: ApolloClient;
  session: StorefrontSession;
  /** Every HTTP request the client made, in order. */
  network: NetworkEntry[];
  /** How many times the error link refreshed the session after a TOKEN_EXPIRED. */
  refreshes: number;
  dispose(): Promise<void>;
}

/**
 * Apollo Client 4 wired as a storefront would write it:
 * - HTTP for queries and mutations through automatic persisted queries (hashes over GET, so that a CDN can serve
 *   catalogue answers), the access token in `Authorization` from the session;
 * - an error link that, on `UNAUTHENTICATED` with `extensions.reason === 'TOKEN_EXPIRED'`, rotates the session with
 *   `RefreshSession` (one refresh at a time, however many requests failed together) and retries the operation;
 * - graphql-ws for subscriptions, the token in `connectionParams`;
 * - a normalised cache whose connections page with Relay's cursors (`relayStylePagination`).
 */
export function createStorefront(urls: { graphqlUrl: string; wsUrl: string }): Storefront {
  const session: StorefrontSession = { accessToken: null, refreshToken: null };
  const network: NetworkEntry[] = [];
  let refreshing: Promise<void> | null = null;

  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    network.push({ method: init?.method ?? 'GET', url: String(input), status: response.status, cacheControl: response.headers.get('cache-control') });
    return response;
  };

  // The refresh goes around the links: its own request, without the expired access token.
  async function refreshSession(): Promise<void> {
    const response = await fetch(urls.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(RefreshSessionDocument), variables: { refreshToken: session.refreshToken } }),
    });
    const body = (await response.json()) as { data?: RefreshSessionMutation | null; errors?: unknown[] };
    if (!body.data?.refreshSession) throw new Error(`the session could not be refreshed: ${JSON.stringify(body.errors)}`);
    session.accessToken = body.data.refreshSession.accessToken;
    session.refreshToken = body.data.refreshSession.refreshToken ?? session.refreshToken;
    storefront.refreshes += 1;
  }

  const refreshOnExpiry = new ErrorLink(({ error, operation, forward }) => {
    if (!CombinedGraphQLErrors.is(error)) return;
    if (!error.errors.some((graphQLError) => graphQLError.extensions?.reason === 'TOKEN_EXPIRED')) return;
    refreshing ??= refreshSession().finally(() => {
      refreshing = null;
    });
    return from(refreshing).pipe(switchMap(() => forward(operation)));
  });

  const withToken = new SetContextLink((previous) => ({
    headers: { ...previous.headers, ...(session.accessToken ? { authorization: `Bearer ${session.accessToken}` } : {}) },
  }));

  const persistedQueries = new PersistedQueryLink({
    sha256: (text) => createHash('sha256').update(text).digest('hex'),
    useGETForHashedQueries: true,
  });

  const ws = createClient({
    url: urls.wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: () => (session.accessToken ? { authorization: `Bearer ${session.accessToken}` } : {}),
  });

  const link = ApolloLink.split(
    ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
    new GraphQLWsLink(ws),
    ApolloLink.from([refreshOnExpiry, withToken, persistedQueries, new HttpLink({ uri: urls.graphqlUrl, fetch: recordingFetch })]),
  );

  const client = new ApolloClient({
    link,
    cache: new InMemoryCache({
      typePolicies: {
        Query: { fields: { products: relayStylePagination(['filter']) } },
        Shop: { fields: { products: relayStylePagination() } },
      },
    }),
  });

  const storefront: Storefront = {
    client,
    session,
    network,
    refreshes: 0,
    dispose: async () => {
      client.stop();
      await ws.dispose();
    },
  };
  return storefront;
}
