import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * Apollo Client as the storefronts use it, over HTTP, with no cache between calls so that every call
 * reaches the server. `token` travels as `Authorization: Bearer <token>`.
 */
export function apolloClient(graphqlUrl: string, token?: string): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: graphqlUrl, headers: token ? { authorization: `Bearer ${token}` } : {} }) as ApolloLink,
    cache: new InMemoryCache({ addTypename: false } as never),
    defaultOptions: {
      query: { fetchPolicy: 'no-cache' },
      mutate: { fetchPolicy: 'no-cache' },
    },
  });
}

/** One raw GraphQL-over-HTTP POST, for what Apollo Client would hide (statuses, headers, odd bodies). */
export async function postGraphql(
  graphqlUrl: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: ExecutionResult & Record<string, unknown> }> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

/** A graphql-ws client as the dashboards use it; `token` goes in `connectionParams.authorization`. */
export function wsClient(wsUrl: string, token?: string): WsClient {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** Runs a query or mutation over WebSocket and resolves with its single result. */
export function wsExecute<R, V extends Record<string, unknown>>(
  client: WsClient,
  document: TypedDocumentNode<R, V>,
  variables?: V,
): Promise<ExecutionResult<R>> {
  return new Promise((resolve, reject) => {
    let result: ExecutionResult<R> | undefined;
    client.subscribe<R>(
      { query: print(document), variables },
      {
        next: (value) => {
          result = value as ExecutionResult<R>;
        },
        error: (error) => (Array.isArray(error) ? resolve({ errors: error } as ExecutionResult<R>) : reject(error)),
        complete: () => (result ? resolve(result) : reject(new Error('completed without a result'))),
      },
    );
  });
}
