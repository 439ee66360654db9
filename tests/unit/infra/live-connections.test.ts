import { describe, expect, it } from '@jest/globals';
import type { WebSocket } from 'ws';
import { createLiveConnections } from '../../../src/infra/live-connections';

function fakeSocket(): WebSocket & { closedWith?: [number, string] } {
  const socket = { close(code: number, reason: string) { socket.closedWith = [code, reason]; } } as WebSocket & { closedWith?: [number, string] };
  return socket;
}

describe('the registry of live connections', () => {
  it("should close every socket of a user, and only that user's", () => {
    const connections = createLiveConnections();
    const [a1, a2, b] = [fakeSocket(), fakeSocket(), fakeSocket()];
    connections.add('a', a1);
    connections.add('a', a2);
    connections.add('b', b);
    expect(connections.closeAllOf('a', 4403, 'Forbidden')).toBe(2);
    expect([a1.closedWith, a2.closedWith, b.closedWith]).toEqual([[4403, 'Forbidden'], [4403, 'Forbidden'], undefined]);
  });

  it('should forget a socket once it is removed', () => {
    const connections = createLiveConnections();
    const socket = fakeSocket();
    connections.add('a', socket);
    connections.remove(socket);
    connections.remove(fakeSocket());
    expect(connections.count('a')).toBe(0);
    expect(connections.closeAllOf('a', 4403, 'Forbidden')).toBe(0);
    expect(socket.closedWith).toBeUndefined();
  });
});
