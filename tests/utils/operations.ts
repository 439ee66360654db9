import { CombinedGraphQLErrors, type ApolloClient, type OperationVariables } from '@apollo/client';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Kind, OperationTypeNode, type GraphQLFormattedError } from 'graphql';
import { apolloClient } from './clients';

/** What one contract operation answered: its data and its GraphQL errors (empty when none). */
export interface OperationResult<R> {
  data: R | undefined;
  errors: readonly GraphQLFormattedError[];
}

/**
 * Sends a typed contract operation (query or mutation) through Apollo Client, as the storefronts do, and
 * returns data and errors side by side (errorPolicy `all`). A network failure throws.
 */
export async function send<R, V extends OperationVariables>(
  client: ApolloClient,
  document: TypedDocumentNode<R, V>,
  variables: V,
): Promise<OperationResult<R>> {
  const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const isMutation = operation?.kind === Kind.OPERATION_DEFINITION && operation.operation === OperationTypeNode.MUTATION;
  const result = isMutation
    ? await client.mutate({ mutation: document, variables, errorPolicy: 'all' } as never)
    : await client.query({ query: document, variables, errorPolicy: 'all' } as never);
  const { data, error } = result as { data?: R | null; error?: unknown };
  if (!error) return { data: data ?? undefined, errors: [] };
  if (!CombinedGraphQLErrors.is(error)) throw error;
  return { data: data ?? undefined, errors: error.errors };
}

/** One Apollo Client per server and user: building one costs more than a request. */
const clients = new Map<string, ApolloClient>();

/** `send` as `token`'s user (anonymous without one), against `graphqlUrl`. */
export function sendAs<R, V extends OperationVariables>(graphqlUrl: string, token: string | undefined, document: TypedDocumentNode<R, V>, variables: V) {
  const key = `${graphqlUrl} ${token ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    client = apolloClient(graphqlUrl, token);
    clients.set(key, client);
  }
  return send(client, document, variables);
}

/** The `extensions.code` of each error. */
export function codesOf(result: { errors: readonly GraphQLFormattedError[] }): unknown[] {
  return result.errors.map((error) => error.extensions?.code);
}

/** The data of a result that must have no error. */
export function dataOf<R>(result: OperationResult<R>): R {
  if (result.errors.length) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  if (!result.data) throw new Error('no data');
  return result.data;
}
