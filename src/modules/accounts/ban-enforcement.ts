import { CloseCode } from 'graphql-ws';
import type { LiveConnections } from '../../infra/live-connections';
import type { Logger } from '../../infra/logger';
import type { PubSub } from '../../infra/pubsub';
import { AccountTopic, userBannedPayload } from './account-events';

/**
 * On every instance: when a `user-banned` message arrives (published after the ban commits), closes that
 * user's WebSockets here with 4403. With Redis the message reaches every instance within milliseconds.
 * Resolves once listening; the returned function stops.
 */
export function closeSocketsOfBannedUsers(pubsub: PubSub, connections: LiveConnections, logger: Logger): Promise<() => Promise<void>> {
  return pubsub.subscribe(AccountTopic.USER_BANNED, (payload) => {
    const banned = userBannedPayload(payload);
    if (!banned) return;
    const closed = connections.closeAllOf(banned.userId, CloseCode.Forbidden, 'Forbidden: account banned');
    if (closed) logger.info({ userId: banned.userId, sockets: closed }, 'closed the WebSockets of a banned user');
  });
}
