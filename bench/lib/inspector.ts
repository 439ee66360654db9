import { once } from 'node:events';
import WebSocket from 'ws';

/** How long one Chrome DevTools Protocol command may take (a full GC, stopping a profile). */
const COMMAND_TIMEOUT_MS = 10_000;

/**
 * A Chrome DevTools Protocol session with a node process started with `--inspect=127.0.0.1:<port>`: commands
 * answered in order of their ids. Close it when done.
 */
export interface InspectorSession {
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>;
  close(): void;
}

export async function openInspectorSession(inspectorPort: number): Promise<InspectorSession> {
  const list = await fetch(`http://127.0.0.1:${inspectorPort}/json/list`, { signal: AbortSignal.timeout(5_000) });
  const targets = (await list.json()) as { webSocketDebuggerUrl?: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on 127.0.0.1:${inspectorPort}`);
  const socket = new WebSocket(url, { maxPayload: 1024 * 2 ** 20 });
  await once(socket, 'open');
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let lastId = 0;
  socket.on('message', (data: WebSocket.RawData) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = message.id === undefined ? undefined : waiting.get(message.id);
    if (!waiter) return;
    waiting.delete(message.id!);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  socket.on('error', (error) => {
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  });
  return {
    call<T>(method: string, params?: Record<string, unknown>): Promise<T> {
      const id = ++lastId;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${method} did not answer within ${COMMAND_TIMEOUT_MS / 1000} s`));
        }, COMMAND_TIMEOUT_MS);
        waiting.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(new Error(`${method}: ${error.message}`));
          },
        });
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => socket.close(),
  };
}

/**
 * A full garbage collection in a node process started with `--inspect=127.0.0.1:<port>`, through the Chrome
 * DevTools Protocol (`HeapProfiler.collectGarbage`): without it, a heap reading counts garbage that the next
 * GC would free, and a per-subscription cost of a few KiB drowns in it. Resolves once the collection is done.
 */
export async function collectGarbage(inspectorPort: number): Promise<void> {
  const session = await openInspectorSession(inspectorPort);
  try {
    await session.call('HeapProfiler.collectGarbage');
  } finally {
    session.close();
  }
}
