import { CloseCode } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { LiveConnections } from '../../infra/live-connections';
import type { Logger } from '../../infra/logger';
import type { AccountChangedEvent } from './account-events';
import type { createAccountUpdatesHub } from './account-updates.hub';
import { Role, UserStatus } from './user.entity';

/** Why a banned (or deleted) user's sockets are closed, with graphql-ws's 4403. */
const BANNED_REASON = 'Forbidden: account banned';

/**
 * `connections`, whose sockets are closed with 4403 on this instance when their user is banned or deletes its
 * account. Each user with a socket here is watched on the instance's account hub (`accounts`), which hears of the
 * change from the account's notification, sent in the transaction that banned it and relayed to every instance;
 * if that notification was lost (Redis down at the time), the hub's periodic check against PostgreSQL finds the
 * account banned and closes the sockets all the same. Its watch ends with the user's last socket here.
 */
export function closeSocketsOfBannedUsers(
  connections: LiveConnections,
  accounts: Pick<ReturnType<typeof createAccountUpdatesHub>, 'watch'>,
  logger: Logger,
): LiveConnections {
  const stopWatching = new Map<string, () => void>();
  const userOf = new WeakMap<WebSocket, string>();

  const closeIfBanned = (event: AccountChangedEvent) => {
    if (event.status !== UserStatus.BANNED && !event.deleted) return;
    const closed = connections.closeAllOf(event.userId, CloseCode.Forbidden, BANNED_REASON);
    if (closed) logger.info({ userId: event.userId, sockets: closed }, 'closed the WebSockets of a banned user');
  };

  return {
    ...connections,
    add(userId, socket) {
      connections.add(userId, socket);
      userOf.set(socket, userId);
      if (stopWatching.has(userId)) return;
      // A socket is registered before its account is read, and is admitted only if the account is active: the watch
      // starts from an active account. Its role is not known here and does not matter: an event that changes only
      // the role is ignored, and one that says BANNED closes the sockets, whatever the role.
      const seen: AccountChangedEvent = { userId, role: Role.BUYER, status: UserStatus.ACTIVE };
      stopWatching.set(userId, accounts.watch(seen, closeIfBanned));
    },
    remove(socket) {
      connections.remove(socket);
      const userId = userOf.get(socket);
      if (userId === undefined || connections.count(userId) > 0) return;
      stopWatching.get(userId)?.();
      stopWatching.delete(userId);
    },
  };
}
