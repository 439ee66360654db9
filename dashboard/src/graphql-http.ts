import { print, type GraphQLFormattedError } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** The API's GraphQL endpoint: same origin as the page, in production (/dashboard/) and under Vite's proxy alike. */
export const GRAPHQL_PATH = '/graphql';

/** `ws(s)://<this host>/graphql`. */
export function graphqlWebSocketUrl(): string {
  const url = new URL(GRAPHQL_PATH, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

export interface GraphqlAnswer<R> {
  data?: R | null;
  errors?: readonly GraphQLFormattedError[];
}

/** Thrown when the server cannot be reached or answers something that is not GraphQL. */
export class NetworkError extends Error {}

/**
 * One operation over HTTP, outside Apollo Client: the session's own calls (log in, refresh, log out), which the
 * client's links depend on. Always with the cookie transport (the refresh token lives in an httpOnly cookie that
 * no script reads) and `same-origin` credentials so that the cookie travels.
 */
export async function postGraphql<R, V>(document: TypedDocumentNode<R, V>, variables: V, accessToken?: string): Promise<GraphqlAnswer<R>> {
  let response: Response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'content-type': 'application/json',
        'x-refresh-token-transport': 'cookie',
        ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      },
      body: JSON.stringify({ query: print(document), variables }),
    });
  } catch {
    throw new NetworkError('The server cannot be reached.');
  }
  if (!(response.headers.get('content-type') ?? '').includes('json')) throw new NetworkError(`The server answered ${response.status}.`);
  return (await response.json()) as GraphqlAnswer<R>;
}
