import type { ServiceScope } from '../service-scope';
import { ConflictError } from '../../shared/errors';
import { runSql } from '../../shared/sql';
import { deleteCartOf } from '../cart';
import { eraseEmailsOfDeletedUser } from '../notifications';
import { notifyAccountChanged } from './account-events';
import { AuditEventType } from './audit-event.entity';
import { logAudit, recordAudit } from './audit';
import type { AccountsRuntime } from './accounts-runtime';
import type { PasswordService } from './password.service';
import { sealUserDisplayName } from './sealed-display-name';
import { revokeSessionsOf, SessionEndReason } from './session.service';

/** What a deleted account's email becomes: unique, not an address anyone can sign up or log in with. */
export function erasedEmail(userId: string): string {
  return `deleted-${userId}@erased.invalid`;
}

/** What a deleted account's display name becomes. */
export const ERASED_DISPLAY_NAME = 'Deleted user';

/**
 * `deleteMyAccount`: needs the password. Erases the caller's email, name, password, cart and refresh tokens, and
 * the copies of its details in the outbox; its orders stay for accounting, their buyer now this anonymous row, their
 * sealed address destroyed by the retention job after RETENTION_DELETED_BUYER_ADDRESS_DAYS. An artisan with a shop
 * gets CONFLICT until the shop is closed. Every session ends, and every live socket is closed on every instance.
 * The email is free for a new sign-up at once.
 */
export function createAccountDeletionService(deps: { accounts: Pick<AccountsRuntime, 'viewerCache'>; passwordService: PasswordService }) {
  return {
    async deleteMine(ctx: ServiceScope, password: string): Promise<boolean> {
      const user = await deps.passwordService.verifyOwn(ctx, password);
      const now = ctx.clock.now();
      const event = await ctx.em.fork().transactional(async (tx) => {
        // Locks the user: a shop opened meanwhile waits for this transaction, and then finds no such owner.
        await runSql(tx, 'select id from app_user where id = ? for update', [user.id]);
        const [shop] = await runSql<{ id: string }>(tx, 'select id from shop where owner_id = ?', [user.id]);
        if (shop) throw new ConflictError('Close your shop before deleting your account');
        await runSql(tx, `update app_user set email = ?, display_name = ?, password_hash = '!', deleted_at = ?, updated_at = ? where id = ?`, [
          erasedEmail(user.id),
          sealUserDisplayName(user.id, ERASED_DISPLAY_NAME),
          now,
          now,
          user.id,
        ]);
        await revokeSessionsOf(tx, user.id, SessionEndReason.ACCOUNT_DELETED, now);
        await runSql(tx, 'delete from refresh_token where session_id in (select id from auth_session where user_id = ?)', [user.id]);
        await runSql(tx, 'delete from password_reset_token where user_id = ?', [user.id]);
        await deleteCartOf(tx, user.id);
        await eraseEmailsOfDeletedUser(tx, user.id, erasedEmail(user.id));
        // Its WebSockets are closed on every instance, as a banned user's are (see `ban-enforcement.ts`).
        await notifyAccountChanged(tx, user.id);
        return recordAudit(tx, ctx, { type: AuditEventType.ACCOUNT_DELETED, userId: user.id });
      });
      await deps.accounts.viewerCache.forget(user.id);
      logAudit(ctx.logger, event);
      return true;
    },
  };
}

export type AccountDeletionService = ReturnType<typeof createAccountDeletionService>;
