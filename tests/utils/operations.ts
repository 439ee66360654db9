import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { postGraphql } from './clients';

/** An error as a client receives it. */
export interface ClientError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; reason?: string; retryAfterSeconds?: number } & Record<string, unknown>;
}

/** What the server answered to one operation: HTTP status, data and errors as they came (no `errors` when none). */
export interface GraphqlResponse<R> {
  status: number;
  data?: R | null;
  errors?: ClientError[];
}

/** What one operation answered, its errors as a list (empty when none): the shape of `sendAs`. */
export interface OperationResult<R> {
  data: R | undefined;
  errors: readonly ClientError[];
}

export interface SendOptions {
  /** Sent as `Authorization: Bearer <token>`; anonymous without one. */
  token?: string;
  headers?: Record<string, string>;
}

/**
 * Sends one typed operation (query or mutation) as a raw GraphQL-over-HTTP POST to `target` (a test server, or a
 * spawned one): no client cache, every status and error visible. A network failure throws.
 */
export async function send<R, V>(target: { graphqlUrl: string }, document: TypedDocumentNode<R, V>, variables: V, options: SendOptions = {}): Promise<GraphqlResponse<R>> {
  const headers = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  const response = await postGraphql(target.graphqlUrl, { query: print(document), variables }, headers);
  return { status: response.status, data: response.body.data as R | null | undefined, errors: response.body.errors as ClientError[] | undefined };
}

/** `send` as `token`'s user (anonymous without one), against `graphqlUrl`, with data and errors side by side. */
export async function sendAs<R, V>(graphqlUrl: string, token: string | undefined, document: TypedDocumentNode<R, V>, variables: V): Promise<OperationResult<R>> {
  const response = await send({ graphqlUrl }, document, variables, { token });
  return { data: response.data ?? undefined, errors: response.errors ?? [] };
}

/** The `extensions.code` of each error of a response or result, in order (empty when it has none). */
export function codesOf(result: { errors?: readonly { extensions?: { code?: unknown } }[] | null }): unknown[] {
  return (result.errors ?? []).map((error) => error.extensions?.code);
}

/** The data of a result that must have no error. */
export function dataOf<R>(result: { data?: R | null; errors?: readonly ClientError[] }): R {
  if (result.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  if (!result.data) throw new Error('no data');
  return result.data;
}
