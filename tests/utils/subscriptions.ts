import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import type { Client as WsClient } from 'graphql-ws';
import { waitFor } from './wait';

/** What a subscription has received so far. */
export interface Collected<R> {
  /** Every `next` payload, in order (a result with `errors` when the server refused). */
  results: ExecutionResult<R>[];
  /** The data of each `next` that carried some. */
  readonly data: R[];
  /** The transport-level error, if the subscription ended with one. */
  error: unknown;
  completed: boolean;
  /** Resolves once `count` results have arrived. */
  until(count: number, timeoutMs?: number): Promise<R[]>;
  /** Ends the subscription. */
  stop(): void;
}

/** Starts `document` over graphql-ws and collects what arrives. */
export function collect<R, V extends Record<string, unknown>>(client: WsClient, document: TypedDocumentNode<R, V>, variables: V): Collected<R> {
  const collected: Collected<R> = {
    results: [],
    get data() {
      return collected.results.flatMap((result) => (result.data ? [result.data] : []));
    },
    error: undefined,
    completed: false,
    async until(count, timeoutMs = 10_000) {
      await waitFor(() => collected.results.length >= count || collected.completed, timeoutMs, `${count} subscription results (have ${collected.results.length})`);
      if (collected.results.length < count) throw new Error(`the subscription ended after ${collected.results.length} results: ${JSON.stringify(collected.results)} ${String(collected.error)}`);
      return collected.data;
    },
    stop: () => undefined,
  };
  collected.stop = client.subscribe<R>(
    { query: print(document), variables },
    {
      next: (value) => collected.results.push(value as ExecutionResult<R>),
      error: (error) => {
        collected.error = error;
        collected.completed = true;
      },
      complete: () => {
        collected.completed = true;
      },
    },
  );
  return collected;
}
