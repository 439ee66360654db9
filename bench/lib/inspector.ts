import { once } from 'node:events';
import WebSocket from 'ws';

/**
 * A full garbage collection in a node process started with `--inspect=127.0.0.1:<port>`, through the Chrome
 * DevTools Protocol (`HeapProfiler.collectGarbage`): without it, a heap reading counts garbage that the next
 * GC would free, and a per-subscription cost of a few KiB drowns in it. Resolves once the collection is done.
 */
export async function collectGarbage(inspectorPort: number): Promise<void> {
  const list = await fetch(`http://127.0.0.1:${inspectorPort}/json/list`, { signal: AbortSignal.timeout(5_000) });
  const targets = (await list.json()) as { webSocketDebuggerUrl?: string }[];
  const url = targets[0]?.webSocketDebuggerUrl;
  if (!url) throw new Error(`no inspector target on 127.0.0.1:${inspectorPort}`);
  const socket = new WebSocket(url);
  try {
    await once(socket, 'open');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('HeapProfiler.collectGarbage did not answer within 10 s')), 10_000);
      socket.on('message', (data: WebSocket.RawData) => {
        const message = JSON.parse(String(data)) as { id?: number; error?: { message: string } };
        if (message.id !== 1) return;
        clearTimeout(timer);
        if (message.error) reject(new Error(`HeapProfiler.collectGarbage: ${message.error.message}`));
        else resolve();
      });
      socket.on('error', reject);
      socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' }));
    });
  } finally {
    socket.close();
  }
}
