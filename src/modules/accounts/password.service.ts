import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../../config/config';
import type { ServiceScope } from '../service-scope';
import { AppError, BadUserInputError, ErrorCode } from '../../shared/errors';
import { runSql } from '../../shared/sql';
import { queuePasswordResetEmail } from '../notifications';
import { accountBannedError, requireViewer } from './accounts.errors';
import { AuditEventType } from './audit-event.entity';
import { logAudit, recordAudit, writeAudit } from './audit';
import type { AccountsRuntime } from './accounts-runtime';
import { EMAIL_MAX_LENGTH, characterCount, normaliseEmail, passwordProblem, PASSWORD_MAX_LENGTH } from './credentials';
import { hashPassword, verifyPassword } from './password-hashing';
import { PasswordResetToken } from './password-reset-token.entity';
import { DisplayNameUnreadableError } from './sealed-display-name';
import { revokeSessionsOf, SessionEndReason, type IssuedSession, type SessionService } from './session.service';
import { User, UserStatus } from './user.entity';

/** 256 random bits per reset token. */
const RESET_TOKEN_BYTES = 32;

function hashResetToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A wrong current password: the caller's session is fine, its proof is not. */
export function badCredentialsError(): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, 'The password is incorrect', { reason: 'BAD_CREDENTIALS' });
}

function resetTokenRefusedError(): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, 'This reset code is not valid: it is unknown, expired or used already; ask for a new one', { reason: 'TOKEN_INVALID' });
}

/** A new password the account may take, or BAD_USER_INPUT naming `field`. */
function checkNewPassword(password: string, field: string): void {
  const problem = passwordProblem(password);
  if (problem) throw new BadUserInputError(field, problem);
}

/** What the password services need: the limits, the reset tokens' lifetime, the viewer cache, the mail settings, the sessions. */
export interface PasswordServiceDeps {
  accounts: Pick<AccountsRuntime, 'loginLimiter' | 'passwordResetLimiter' | 'passwordResetTtlMs' | 'viewerCache'>;
  config: Pick<Config, 'mail'>;
  sessionService: SessionService;
}

/** Changing a known password, and resetting a forgotten one by email. */
export function createPasswordService(deps: PasswordServiceDeps) {
  const { accounts } = deps;
  const service = {
    /**
     * The caller's own user with its password hash, after checking `password` against it. Counted by the login limiter
     * (a stolen access token must not give unlimited guesses), and given back when right.
     */
    async verifyOwn(ctx: ServiceScope, password: string): Promise<User> {
      const viewer = requireViewer(ctx);
      const user = await ctx.em.findOneOrFail(User, { id: viewer.userId }, { populate: ['passwordHash'] });
      await accounts.loginLimiter.attempt(user.email, ctx.clientAddress);
      const acceptable = characterCount(password) <= PASSWORD_MAX_LENGTH;
      if (!acceptable || !(await verifyPassword(user.passwordHash, password))) throw badCredentialsError();
      await accounts.loginLimiter.succeeded(user.email, ctx.clientAddress);
      return user;
    },

    /** Needs the current password; ends every other session of the account (the caller's goes on). */
    async change(ctx: ServiceScope, currentPassword: string, newPassword: string): Promise<boolean> {
      checkNewPassword(newPassword, 'newPassword');
      const user = await service.verifyOwn(ctx, currentPassword);
      const passwordHash = await hashPassword(newPassword);
      const now = ctx.clock.now();
      const sessionId = requireViewer(ctx).sessionId;
      const event = await ctx.em.fork().transactional(async (tx) => {
        await runSql(tx, 'update app_user set password_hash = ?, updated_at = ? where id = ?', [passwordHash, now, user.id]);
        await runSql(tx, 'update auth_session set revoked_at = ?, revoked_reason = ? where user_id = ? and id <> ? and revoked_at is null', [
          now,
          SessionEndReason.PASSWORD_CHANGED,
          user.id,
          sessionId,
        ]);
        return recordAudit(tx, ctx, { type: AuditEventType.PASSWORD_CHANGED, userId: user.id, details: { keptSessionId: sessionId } });
      });
      await accounts.viewerCache.forget(user.id);
      logAudit(ctx.logger, event);
      return true;
    },

    /**
     * Answers true whether the email has an account or not. When it has one (active), a single-use token valid
     * PASSWORD_RESET_TTL_MINUTES is emailed (outbox or SMTP) and older unused ones are spent. Limited per email and
     * per client address, counted alike either way.
     */
    async request(ctx: ServiceScope, emailInput: string): Promise<boolean> {
      const email = normaliseEmail(emailInput);
      // Length first, as for a log-in: nothing is counted for an email no account can have.
      if (characterCount(email) > EMAIL_MAX_LENGTH) throw new BadUserInputError('email', `email must have at most ${EMAIL_MAX_LENGTH} characters`);
      await accounts.passwordResetLimiter.attempt(email, ctx.clientAddress);
      const user = await ctx.em.findOne(User, { email, status: UserStatus.ACTIVE, deletedAt: null });
      if (!user) {
        ctx.logger.info({ requestId: ctx.requestId }, 'password reset asked for an email with no active account: nothing sent');
        return true;
      }
      const token = randomBytes(RESET_TOKEN_BYTES).toString('base64url');
      const now = ctx.clock.now();
      const ttlMs = accounts.passwordResetTtlMs;
      const event = await ctx.em.fork().transactional(async (tx) => {
        await runSql(tx, 'update password_reset_token set used_at = ? where user_id = ? and used_at is null', [now, user.id]);
        tx.create(PasswordResetToken, { user: user.id, tokenHash: hashResetToken(token), createdAt: now, expiresAt: new Date(now.getTime() + ttlMs) });
        await tx.flush();
        await queuePasswordResetEmail(tx, deps.config.mail, { userId: user.id, to: user.email, displayName: displayNameForEmail(user), token, ttlMinutes: Math.round(ttlMs / 60_000) }, now);
        return recordAudit(tx, ctx, { type: AuditEventType.PASSWORD_RESET_REQUESTED, userId: user.id });
      });
      logAudit(ctx.logger, event);
      return true;
    },

    /** Spends the emailed token (once), sets the password, ends every session of the account and opens a new one. */
    async reset(ctx: ServiceScope, token: string, newPassword: string): Promise<IssuedSession> {
      checkNewPassword(newPassword, 'newPassword');
      const passwordHash = await hashPassword(newPassword);
      const now = ctx.clock.now();
      const outcome = await ctx.em.fork().transactional(async (tx) => {
        const [row] = await runSql<{ id: string; user_id: string; status: UserStatus }>(
          tx,
          `select t.id, t.user_id, u.status from password_reset_token t join app_user u on u.id = t.user_id
            where t.token_hash = ? and t.used_at is null and t.expires_at > ? and u.deleted_at is null
            for update of t`,
          [hashResetToken(token), now],
        );
        if (!row) return null;
        if (row.status === UserStatus.BANNED) return { banned: true } as const;
        await runSql(tx, 'update password_reset_token set used_at = ? where id = ?', [now, row.id]);
        await runSql(tx, 'update app_user set password_hash = ?, updated_at = ? where id = ?', [passwordHash, now, row.user_id]);
        await revokeSessionsOf(tx, row.user_id, SessionEndReason.PASSWORD_RESET, now);
        const user = await tx.findOneOrFail(User, { id: row.user_id });
        const tokens = deps.sessionService.open(ctx, tx, user);
        const event = recordAudit(tx, ctx, { type: AuditEventType.PASSWORD_RESET, userId: user.id });
        return { banned: false, user, tokens, event } as const;
      });
      if (!outcome) {
        await writeAudit(ctx.em, ctx, { type: AuditEventType.PASSWORD_RESET, userId: null, details: { refused: 'TOKEN_INVALID' } });
        throw resetTokenRefusedError();
      }
      if (outcome.banned) throw accountBannedError();
      await accounts.viewerCache.forget(outcome.user.id);
      logAudit(ctx.logger, outcome.event);
      return deps.sessionService.issue(ctx, outcome.user, outcome.tokens);
    },
  };
  return service;
}

export type PasswordService = ReturnType<typeof createPasswordService>;

/**
 * The user's name for a reset email, or null when it cannot be opened (logged with the row and key id when it was
 * tried): a damaged name must neither lock its owner out of a reset nor make the answer tell that the email has an account.
 */
function displayNameForEmail(user: User): string | null {
  try {
    return user.displayName;
  } catch (error) {
    if (error instanceof DisplayNameUnreadableError) return null;
    throw error;
  }
}
