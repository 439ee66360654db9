import type { WebSocket } from 'ws';

/**
 * The open graphql-ws connections of this instance that carry a user's token, by user id: what a ban must
 * close. Each instance keeps its own; a ban reaches every instance's account hub (see ban-enforcement.ts).
 */
export interface LiveConnections {
  add(userId: string, socket: WebSocket): void;
  /** Forgets a socket (called when it closes); unknown sockets are ignored. */
  remove(socket: WebSocket): void;
  /** Closes every socket of `userId` on this instance with `code`; returns how many there were. */
  closeAllOf(userId: string, code: number, reason: string): number;
  /** How many sockets of `userId` are open on this instance. */
  count(userId: string): number;
}

export function createLiveConnections(): LiveConnections {
  const byUser = new Map<string, Set<WebSocket>>();
  const userOf = new WeakMap<WebSocket, string>();
  return {
    add(userId, socket) {
      const sockets = byUser.get(userId) ?? new Set();
      sockets.add(socket);
      byUser.set(userId, sockets);
      userOf.set(socket, userId);
    },
    remove(socket) {
      const userId = userOf.get(socket);
      if (userId === undefined) return;
      userOf.delete(socket);
      const sockets = byUser.get(userId);
      sockets?.delete(socket);
      if (sockets?.size === 0) byUser.delete(userId);
    },
    closeAllOf(userId, code, reason) {
      const sockets = [...(byUser.get(userId) ?? [])];
      // close() moves a socket to CLOSING at once: nothing more is sent on it, even before the peer answers.
      for (const socket of sockets) socket.close(code, reason);
      return sockets.length;
    },
    count(userId) {
      return byUser.get(userId)?.size ?? 0;
    },
  };
}
