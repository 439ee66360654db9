import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';

/** Limits on what one client may hold open over WebSocket (`WS_*` variables). */
export interface WebSocketCaps {
  /** Subscriptions (and running operations) one socket may hold at once; beyond, RATE_LIMITED. Default 100. */
  maxSubscriptionsPerSocket: number;
  /** Sockets open at once from one client address; beyond, the new one is closed with 4429. Default 50. */
  maxSocketsPerAddress: number;
  /** Sockets open at once for one user; beyond, the new one is closed with 4429 at `connection_init`. Default 20. */
  maxSocketsPerUser: number;
  /** Messages per second one socket may send (as a burst, or sustained); beyond, it is closed with 4429. Default 50. */
  maxMessagesPerSecond: number;
  /** Bytes the cache of parsed documents may hold, text and syntax tree (8 per character, see checked-document-cache.ts). Default 5 MB. */
  documentCacheBytes: number;
}

/** graphql-ws's own "too many" close code, reused for every per-client cap. */
export const TOO_MANY_CLOSE_CODE = 4429;

/** What the WebSocket server asks of the caps once a socket is open. */
export interface ClientCaps {
  /** The client address the socket was opened from (the same `TRUST_PROXY` rule as HTTP's `req.ip`). */
  addressOf(socket: WebSocket): string | null;
  /**
   * Counts the socket against its user's cap once its token is known; false (the socket is closed with 4429)
   * when the user already holds `maxSocketsPerUser`. Released when the socket closes.
   */
  admitUser(socket: WebSocket, userId: string): boolean;
}

/**
 * The per-client caps of `caps` on every socket of `wsServer`: sockets per address (4429 at once), messages per
 * second (a token bucket, 4429), and sockets per user (through {@link ClientCaps.admitUser}). Call it before
 * graphql-ws's `useServer`: its listener must come first, so that a socket over a cap is closed before it is served.
 */
export function enforceClientCaps(wsServer: WebSocketServer, caps: WebSocketCaps, clientAddressOf: (request: IncomingMessage) => string | null): ClientCaps {
  // Sockets per address and per user, and each socket's message allowance.
  const socketsByAddress = new Map<string, number>();
  const socketsByUser = new Map<string, number>();
  const addressOfSocket = new WeakMap<WebSocket, string | null>();
  const userOfSocket = new WeakMap<WebSocket, string>();
  const release = (counts: Map<string, number>, key: string) => {
    const left = (counts.get(key) ?? 1) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
  };
  // Registered before graphql-ws's own listener, so that a socket over a cap is closed before it is served.
  wsServer.on('connection', (socket, request) => {
    const address = clientAddressOf(request);
    addressOfSocket.set(socket, address);
    const addressKey = address ?? 'unknown';
    const open = (socketsByAddress.get(addressKey) ?? 0) + 1;
    socketsByAddress.set(addressKey, open);
    socket.once('close', () => {
      release(socketsByAddress, addressKey);
      const userId = userOfSocket.get(socket);
      if (userId) release(socketsByUser, userId);
    });
    if (open > caps.maxSocketsPerAddress) {
      socket.close(TOO_MANY_CLOSE_CODE, 'Too many sockets from this address');
      return;
    }
    // A token bucket of `maxMessagesPerSecond`, refilled continuously.
    let allowance = caps.maxMessagesPerSecond;
    let last = Date.now();
    socket.on('message', () => {
      const now = Date.now();
      allowance = Math.min(caps.maxMessagesPerSecond, allowance + ((now - last) / 1_000) * caps.maxMessagesPerSecond);
      last = now;
      allowance -= 1;
      if (allowance < 0) socket.close(TOO_MANY_CLOSE_CODE, 'Too many messages');
    });
  });
  return {
    addressOf: (socket) => addressOfSocket.get(socket) ?? null,
    admitUser(socket, userId) {
      const socketsOfUser = (socketsByUser.get(userId) ?? 0) + 1;
      socketsByUser.set(userId, socketsOfUser);
      userOfSocket.set(socket, userId);
      if (socketsOfUser <= caps.maxSocketsPerUser) return true;
      socket.close(TOO_MANY_CLOSE_CODE, 'Too many sockets for this user');
      return false;
    },
  };
}
