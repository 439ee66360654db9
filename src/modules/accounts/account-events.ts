import type { RequestContext } from '../../graphql/context';

/** Pub/sub topics of the accounts module. Payloads carry ids only: receivers read the current state. */
export enum AccountTopic {
  /** A user was banned (after commit): every instance closes that user's WebSockets. */
  USER_BANNED = 'user-banned',
  /** An operator changed a user (role, status): `myAccount` subscribers of that user hear of it. */
  ACCOUNT_CHANGED = 'account-changed',
}

export interface AccountTopicPayloads {
  [AccountTopic.USER_BANNED]: { userId: string };
  [AccountTopic.ACCOUNT_CHANGED]: { userId: string };
}

/** One channel per user for account changes: an instance only receives those of users connected to it. */
export function accountChangedChannel(userId: string): string {
  return `${AccountTopic.ACCOUNT_CHANGED}:${userId}`;
}

/** Parses a `user-banned` payload received from another instance; null when it is not one. */
export function userBannedPayload(payload: unknown): AccountTopicPayloads[AccountTopic.USER_BANNED] | null {
  const userId = (payload as { userId?: unknown } | null)?.userId;
  return typeof userId === 'string' ? { userId } : null;
}

/**
 * Announces that a user was changed, once the change is committed. A failure to publish is logged, not
 * thrown: the change stands, and the per-request and per-event re-checks enforce it without the message.
 */
export async function publishAccountChange(ctx: RequestContext, userId: string, banned: boolean): Promise<void> {
  try {
    const payload = { userId };
    // At once, each within the Redis deadline. A ban must close the user's sockets on every instance, also after
    // an outage: its announcement is sent again until it lands.
    await Promise.all([
      banned && ctx.pubsub.publish(AccountTopic.USER_BANNED, payload satisfies AccountTopicPayloads[AccountTopic.USER_BANNED], { redeliver: userId }),
      ctx.pubsub.publish(accountChangedChannel(userId), payload satisfies AccountTopicPayloads[AccountTopic.ACCOUNT_CHANGED]),
    ]);
  } catch (error) {
    ctx.logger.error({ err: error, userId }, 'could not publish an account change');
  }
}
