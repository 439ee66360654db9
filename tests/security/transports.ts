import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse, print, type DocumentNode, type ExecutionResult } from 'graphql';
import { postGraphql, wsClient, wsExecute } from '../utils/clients';
import { openIdleConnection } from '../utils/subscriptions';
import type { TestServer } from '../utils/test-server';

/** One operation's answer over HTTP: its status and body. */
export interface HttpAnswer {
  status: number;
  body: ExecutionResult & Record<string, unknown>;
}

/** A document as a string, parsed, or typed by codegen. */
type Operation = string | DocumentNode;

const textOf = (operation: Operation) => (typeof operation === 'string' ? operation : print(operation));

/** `operation` as `token`'s user (anonymous without one), in a raw POST, every status and error visible. */
export function overHttp(server: TestServer, operation: Operation, variables?: Record<string, unknown>, token?: string): Promise<HttpAnswer> {
  return postGraphql(server.graphqlUrl, { query: textOf(operation), variables }, token ? { authorization: `Bearer ${token}` } : {});
}

/**
 * `operation` over a new graphql-ws connection whose `connection_init` carries `token` (anonymous without one):
 * its single result, or the errors of an `error` message as a result.
 */
export async function overWebSocket(server: TestServer, operation: Operation, variables?: Record<string, unknown>, token?: string): Promise<ExecutionResult<unknown>> {
  const client = wsClient(server.wsUrl, token);
  try {
    return await wsExecute(client, parse(textOf(operation)) as TypedDocumentNode<unknown, Record<string, unknown>>, variables);
  } finally {
    await client.dispose();
  }
}

/** How a connection whose `connection_init` carries `authorization` ends up: 'connected', or its close code. */
export async function connectionOutcome(server: TestServer, token: string): Promise<'connected' | number> {
  const attempt = openIdleConnection(server.wsUrl, token);
  try {
    return await Promise.race([attempt.connected.then(() => 'connected' as const), attempt.closed]);
  } finally {
    await attempt.dispose();
  }
}

/** The `extensions` of each error of a result, in order. */
export const refusalsOf = (result: ExecutionResult<unknown>) => (result.errors ?? []).map((error) => error.extensions);
