import { LockMode, type EntityManager, type FilterQuery } from '@mikro-orm/postgresql';
import type { ServiceScope } from '../service-scope';
import { BadUserInputError, NotFoundError } from '../../shared/errors';
import { isId } from '../../shared/ids';
import { escapeLike, keysetPage } from '../../shared/keyset-page';
import type { Connection, PageRequest } from '../../shared/pagination';
import { notifyAccountChanged } from './account-events';
import { AuditEventType } from './audit-event.entity';
import { logAudit, recordAudit, type AuditInput } from './audit';
import { characterCount } from './credentials';
import type { AccountsRuntime } from './accounts-runtime';
import { revokeSessionsOf, SessionEndReason } from './session.service';
import { User, UserStatus, type Role } from './user.entity';
import type { UserFilter } from './users.inputs';

/** Longest accepted ban reason, in characters. */
export const BAN_REASON_MAX_LENGTH = 500;

/** What operators do to users. Every change is audited and notified (`myAccount`) in its own transaction. */
export function createUsersService(deps: { accounts: Pick<AccountsRuntime, 'viewerCache'> }) {
  const { accounts } = deps;
  return {
    list(ctx: ServiceScope, page: PageRequest, filter: UserFilter | null | undefined): Promise<Connection<User>> {
      const where: FilterQuery<User> = {};
      if (filter?.role) where.role = filter.role;
      if (filter?.status) where.status = filter.status;
      if (filter?.emailContains) where.email = { $ilike: `%${escapeLike(filter.emailContains.trim().toLowerCase())}%` };
      return keysetPage(ctx.em, User, where, page);
    },

    /**
     * Bans a user and ends all its sessions. Its WebSockets are closed on every instance once this commits, from the
     * account's notification (see `ban-enforcement.ts`), or from the hubs' check against PostgreSQL if it was lost.
     */
    async ban(ctx: ServiceScope, userId: string, reason: string): Promise<User> {
      const trimmed = reason.trim();
      if (!trimmed || characterCount(trimmed) > BAN_REASON_MAX_LENGTH) {
        throw new BadUserInputError('reason', `reason must have from 1 to ${BAN_REASON_MAX_LENGTH} characters`);
      }
      refuseSelf(ctx, userId, 'You cannot ban yourself');
      const user = await changeUser(ctx, userId, async (tx, target, now) => {
        if (target.status === UserStatus.BANNED) return null;
        target.status = UserStatus.BANNED;
        await revokeSessionsOf(tx, target.id, SessionEndReason.BANNED, now);
        return { type: AuditEventType.USER_BANNED, details: { reason: trimmed } };
      });
      // Before answering: the victim's very next request, on any instance, reads its row again.
      await accounts.viewerCache.forget(user.id);
      return user;
    },

    /** Lifts a ban. The sessions the ban ended stay ended: the user logs in again. */
    async unban(ctx: ServiceScope, userId: string): Promise<User> {
      const user = await changeUser(ctx, userId, async (_tx, target) => {
        if (target.status === UserStatus.ACTIVE) return null;
        target.status = UserStatus.ACTIVE;
        return { type: AuditEventType.USER_UNBANNED };
      });
      await accounts.viewerCache.forget(user.id);
      return user;
    },

    /** Changes a user's role; it counts from the user's very next request (roles are read per request). */
    async setRole(ctx: ServiceScope, userId: string, role: Role): Promise<User> {
      refuseSelf(ctx, userId, 'You cannot change your own role');
      const user = await changeUser(ctx, userId, async (_tx, target) => {
        if (target.role === role) return null;
        const from = target.role;
        target.role = role;
        return { type: AuditEventType.ROLE_CHANGED, details: { from, to: role } };
      });
      await accounts.viewerCache.forget(user.id);
      return user;
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;

/** An operator cannot lock itself out (ban itself, demote itself and leave no admin). */
function refuseSelf(ctx: ServiceScope, userId: string, message: string): void {
  if (ctx.viewer?.userId === userId) throw new BadUserInputError('userId', message);
}

/**
 * Locks the user's row, applies `change` and records its audit event in one transaction; logs the event after
 * commit. `change` returns null when there is nothing to do (no audit event then).
 */
async function changeUser(
  ctx: ServiceScope,
  userId: string,
  change: (tx: EntityManager, user: User, now: Date) => Promise<Omit<AuditInput, 'userId' | 'actorId'> | null>,
): Promise<User> {
  if (!isId(userId)) throw new NotFoundError('User');
  const { user, event } = await ctx.em.transactional(async (tx) => {
    const user = await tx.findOne(User, userId, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!user) throw new NotFoundError('User');
    const now = ctx.clock.now();
    const audit = await change(tx, user, now);
    if (audit) {
      user.updatedAt = now;
      // Written now, so that the notification (sent only on commit) carries the new role and status.
      await tx.flush();
      await notifyAccountChanged(tx, user.id);
    }
    const event = audit ? recordAudit(tx, ctx, { ...audit, userId: user.id, actorId: ctx.viewer?.userId ?? null }) : null;
    return { user, event };
  });
  if (event) logAudit(ctx.logger, event);
  return user;
}
