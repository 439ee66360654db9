import WebSocket from 'ws';

/** A graphql-transport-ws socket driven message by message, with the upgrade headers a proxy would add. */
export interface RawSocket {
  socket: WebSocket;
  /** Every message received, parsed. */
  messages: { id?: string; type: string; payload?: unknown }[];
  /** Resolves with the close code. */
  closed: Promise<number>;
  send(message: unknown): void;
  /** Sends connection_init and resolves on connection_ack (or rejects when the socket closes first). */
  init(payload?: Record<string, unknown>): Promise<void>;
  /** Resolves with the first message received so far or later that `match` accepts. */
  next(match: (message: { id?: string; type: string; payload?: unknown }) => boolean, timeoutMs?: number): Promise<{ id?: string; type: string; payload?: unknown }>;
  close(): void;
}

export async function openRawSocket(wsUrl: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { headers });
  const messages: RawSocket['messages'] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data) => {
    messages.push(JSON.parse(String(data)));
    waiters.splice(0).forEach((wake) => wake());
  });
  const closed = new Promise<number>((resolve) =>
    socket.once('close', (code) => {
      resolve(code);
      waiters.splice(0).forEach((wake) => wake());
    }),
  );
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const raw: RawSocket = {
    socket,
    messages,
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    next: (match, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms: ${JSON.stringify(messages)}`)), timeoutMs);
        const look = () => {
          const found = messages.find(match);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else if (socket.readyState === WebSocket.CLOSED) {
            clearTimeout(timer);
            reject(new Error(`socket closed without a matching message: ${JSON.stringify(messages)}`));
          } else waiters.push(look);
        };
        look();
      }),
    init: async (payload = {}) => {
      raw.send({ type: 'connection_init', payload });
      await raw.next((message) => message.type === 'connection_ack');
    },
    close: () => socket.close(),
  };
  return raw;
}

/**
 * One operation on a socket of its own opened with `headers` (e.g. the `X-Forwarded-For` a proxy adds to the upgrade
 * request) and initialised with `connectionParams` (e.g. `{ authorization }`): its result, or, for a refusal before execution (graphql-ws's `error` message), its errors as a result.
 * The socket is closed, and its close awaited, before this resolves.
 */
export async function executeOnRawSocket(
  wsUrl: string,
  headers: Record<string, string>,
  payload: { query: string; variables?: Record<string, unknown>; operationName?: string },
  connectionParams: Record<string, unknown> = {},
): Promise<{ data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  const socket = await openRawSocket(wsUrl, headers);
  try {
    await socket.init(connectionParams);
    socket.send({ id: '1', type: 'subscribe', payload });
    const answer = await socket.next((message) => message.id === '1' && (message.type === 'next' || message.type === 'error'));
    return answer.type === 'error' ? { errors: answer.payload as never } : (answer.payload as never);
  } finally {
    socket.close();
    await socket.closed;
  }
}
