import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { wsClient } from './clients';
import { waitFor } from './wait';

/** A subscription held open by a graphql-ws client, recording what arrives. */
export interface RecordedSubscription<R> {
  /** Every `next` payload received, in order. */
  results: ExecutionResult<R>[];
  /** Resolves with the close code when the socket closes (4403 when the server refuses or bans). */
  closed: Promise<number>;
  /** Resolves with the result number `index` (0-based) once it has arrived; rejects after `timeoutMs` (default 10 s, as `collect`'s `until`). */
  result(index: number, timeoutMs?: number): Promise<ExecutionResult<R>>;
  dispose(): Promise<void>;
}

/** Opens a graphql-ws connection with `token` (if any) and subscribes to `document`. */
export function recordSubscription<R, V extends Record<string, unknown>>(
  wsUrl: string,
  token: string | undefined,
  document: TypedDocumentNode<R, V>,
  variables?: V,
): RecordedSubscription<R> {
  const client = wsClient(wsUrl, token);
  const results: ExecutionResult<R>[] = [];
  const listeners = new Set<() => void>();
  const closed = new Promise<number>((resolve) => {
    client.on('closed', (event) => resolve((event as { code: number }).code));
  });
  client.subscribe<R>(
    { query: print(document), variables },
    {
      next: (value) => {
        results.push(value as ExecutionResult<R>);
        for (const listener of listeners) listener();
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
  return {
    results,
    closed,
    // A bound, not a wait: a loaded CI machine once took over 2 s from a checkout to its shop's event.
    result: (index, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (results.length <= index) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(results[index]!);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no result #${index} within ${timeoutMs} ms (got ${results.length})`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
    dispose: () => client.dispose() as Promise<void>,
  };
}

/** Resolves with `promise`'s value, or with `fallback` if it has not settled within `ms`. */
export function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  return Promise.race([promise, new Promise<F>((resolve) => setTimeout(() => resolve(fallback), ms))]);
}

/** A graphql-ws connection with no operation running, as a dashboard holds between subscriptions. */
export interface IdleConnection {
  /** Resolves once the server acknowledged `connection_init`. */
  connected: Promise<void>;
  /** Resolves with the close code when the socket closes. */
  closed: Promise<number>;
  dispose(): Promise<void>;
}

export function openIdleConnection(wsUrl: string, token: string | undefined): IdleConnection {
  let onConnected!: () => void;
  let onClosed!: (code: number) => void;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    // Closes are what these connections are watched for, through 'closed': no need to print them.
    onNonLazyError: () => undefined,
    on: { connected: () => onConnected(), closed: (event) => onClosed((event as { code: number }).code) },
  });
  return { connected, closed, dispose: () => client.dispose() as Promise<void> };
}

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
