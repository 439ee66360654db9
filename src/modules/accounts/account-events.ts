import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { runSql } from '../../shared/sql';
import { Role, UserStatus } from './user.entity';

/**
 * A committed change of an account: its role or its status (`myAccount`, the re-check of subscriptions), or its
 * deletion. A BANNED or deleted account's WebSockets are closed on every instance (`ban-enforcement.ts`).
 */
export interface AccountChangedEvent {
  userId: string;
  role: Role;
  status: UserStatus;
  /** True once the user deleted its account; absent or false before. */
  deleted?: boolean;
}

/** The PostgreSQL channel notified by an account change, in its transaction: delivered only on commit. */
export const ACCOUNT_NOTIFY_CHANNEL = 'atelier_account_changed';

/** The pub/sub topic that the notification relay republishes those notifications on. */
export const ACCOUNT_TOPIC = 'account-changed';

/** An {@link AccountChangedEvent} as it travels (the notification's JSON, then the pub/sub message). */
const accountChangedEventSchema: z.ZodType<AccountChangedEvent> = z.object({
  userId: z.string(),
  role: z.enum(Role),
  status: z.enum(UserStatus),
  deleted: z.boolean().optional(),
});

/** The event in a pub/sub message, or null when the message is not one (never trust the wire). */
export function parseAccountChangedEvent(value: unknown): AccountChangedEvent | null {
  return accountChangedEventSchema.safeParse(value).data ?? null;
}

const ACCOUNT_EVENT_COLUMNS = 'u.id as "userId", u.role, u.status, u.deleted_at is not null as deleted';

/** Queues the notification of a change of the user's role, status or deletion in the caller's transaction, as it now stands there. */
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
