import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { RequestContext } from '../request-context';
import { runSql } from '../../shared/sql';
import { Role, UserStatus } from './user.entity';

/** Pub/sub topics of the accounts module published by application code. Payloads carry ids only. */
export enum AccountTopic {
  /** A user was banned (after commit): every instance closes that user's WebSockets. */
  USER_BANNED = 'user-banned',
}

export interface AccountTopicPayloads {
  [AccountTopic.USER_BANNED]: { userId: string };
}

/** A committed change of an account that its `myAccount` subscribers hear of: its role or its status. */
export interface AccountChangedEvent {
  userId: string;
  role: Role;
  status: UserStatus;
}

/** The PostgreSQL channel notified by an account change, in its transaction: delivered only on commit. */
export const ACCOUNT_NOTIFY_CHANNEL = 'atelier_account_changed';

/** The pub/sub topic that the notification relay republishes those notifications on. */
export const ACCOUNT_TOPIC = 'account-changed';

/** An {@link AccountChangedEvent} as it travels (the notification's JSON, then the pub/sub message). */
const accountChangedEventSchema: z.ZodType<AccountChangedEvent> = z.object({ userId: z.string(), role: z.enum(Role), status: z.enum(UserStatus) });

/** The event in a pub/sub message, or null when the message is not one (never trust the wire). */
export function parseAccountChangedEvent(value: unknown): AccountChangedEvent | null {
  return accountChangedEventSchema.safeParse(value).data ?? null;
}

const ACCOUNT_EVENT_COLUMNS = 'u.id as "userId", u.role, u.status';

/** Queues the notification of a change of the user's role or status in the caller's transaction, as it now stands there. */
export async function notifyAccountChanged(em: EntityManager, userId: string): Promise<void> {
  await runSql(em, `select pg_notify(?, row_to_json(e)::text) from (select ${ACCOUNT_EVENT_COLUMNS} from app_user u where u.id = ?) e`, [
    ACCOUNT_NOTIFY_CHANNEL,
    userId,
  ]);
}

/** The accounts of `userIds` as they stand now: what the hub compares with what its watchers saw. */
export function readAccountEvents(em: EntityManager, userIds: string[]): Promise<AccountChangedEvent[]> {
  return runSql<AccountChangedEvent>(em, `select ${ACCOUNT_EVENT_COLUMNS} from app_user u where u.id = any(?::uuid[])`, [userIds]);
}

const userBannedSchema: z.ZodType<AccountTopicPayloads[AccountTopic.USER_BANNED]> = z.object({ userId: z.string() });

/** Parses a `user-banned` payload received from another instance; null when it is not one. */
export function userBannedPayload(payload: unknown): AccountTopicPayloads[AccountTopic.USER_BANNED] | null {
  return userBannedSchema.safeParse(payload).data ?? null;
}

/**
 * Announces, once the ban (or deletion) is committed, that the user's WebSockets must close on every instance.
 * A failure to publish is logged, not thrown: the ban stands, and the per-request and per-event re-checks enforce
 * it without the message; the announcement is sent again until it lands (a socket must not outlive an outage).
 */
export async function publishUserBanned(ctx: RequestContext, userId: string): Promise<void> {
  try {
    const payload: AccountTopicPayloads[AccountTopic.USER_BANNED] = { userId };
    await ctx.pubsub.publish(AccountTopic.USER_BANNED, payload, { redeliver: userId });
  } catch (error) {
    ctx.logger.error({ err: error, userId }, 'could not publish a ban');
  }
}
