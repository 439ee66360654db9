import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { ServiceScope } from '../service-scope';
import { BadUserInputError, ConflictError, RateLimitedError } from '../../shared/errors';
import { newId } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import { accountBannedError, loginFailedError } from './accounts.errors';
import { AuditEventType } from './audit-event.entity';
import { logAudit, recordAudit, writeAudit } from './audit';
import type { SignUpInput } from './auth.inputs';
import type { AccountsRuntime } from './accounts-runtime';
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, characterCount, emailProblem, normaliseEmail } from './credentials';
import { hashPassword, passwordNeedsRehash, verifyPassword } from './password-hashing';
import { sealUserDisplayName } from './sealed-display-name';
import type { IssuedSession, SessionService } from './session.service';
import { Role, User, UserStatus } from './user.entity';

/** What signing up and logging in need: the sign-up and login limits, and the sessions. */
export interface AuthServiceDeps {
  accounts: Pick<AccountsRuntime, 'countSignUp' | 'loginLimiter'>;
  sessionService: SessionService;
}

/** Signing up and logging in: each opens a session and hands out its tokens. */
export function createAuthService(deps: AuthServiceDeps) {
  const { accounts } = deps;

  /** Counts the attempt; a refused one is logged (not stored: the refusal must stay cheap, see `LoginLimiter`). */
  async function limitAttempt(ctx: ServiceScope, email: string): Promise<void> {
    try {
      await accounts.loginLimiter.attempt(email, ctx.clientAddress);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        logAudit(ctx.logger, {
          type: 'LOGIN_RATE_LIMITED',
          userId: null,
          actorId: null,
          clientAddress: ctx.clientAddress,
          requestId: ctx.requestId,
          details: { retryAfterSeconds: error.extensions.retryAfterSeconds },
        });
      }
      throw error;
    }
  }

  return {
    /** A new BUYER or ARTISAN account (the input's validation keeps the other roles out), logged in at once. */
    async signUp(ctx: ServiceScope, input: SignUpInput): Promise<IssuedSession> {
      const email = normaliseEmail(input.email);
      // SignUpInput's validation already refused it, with the input's other problems; services may be called otherwise.
      const problem = emailProblem(email);
      if (problem) throw new BadUserInputError('input.email', problem);
      // Counted once the input is known to be acceptable, before the hash: a refused sign-up costs no argon2.
      await accounts.countSignUp(ctx.clientAddress);
      const role = input.role ?? Role.BUYER;
      const passwordHash = await hashPassword(input.password);
      const now = ctx.clock.now();
      try {
        const { user, tokens, event } = await ctx.em.transactional(async (tx) => {
          // The name is sealed with the user's id as associated data: the id is chosen first.
          const id = newId();
          const sealedDisplayName = sealUserDisplayName(id, input.displayName.trim());
          const user = tx.create(User, { id, email, sealedDisplayName, passwordHash, role, status: UserStatus.ACTIVE, createdAt: now, updatedAt: now });
          const tokens = deps.sessionService.open(ctx, tx, user);
          const event = recordAudit(tx, ctx, { type: AuditEventType.SIGN_UP, userId: user.id, details: { role } });
          return { user, tokens, event };
        });
        logAudit(ctx.logger, event);
        return await deps.sessionService.issue(ctx, user, tokens);
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) throw new ConflictError('An account with this email already exists');
        throw error;
      }
    },

    /**
     * Checks the password and opens a session. A wrong password and an unknown email get the same error after the
     * same work (an argon2 verification either way). Attempts are limited per account and per client address.
     * A banned user with the right password is told so, and gets no session.
     */
    async logIn(ctx: ServiceScope, emailInput: string, password: string): Promise<IssuedSession> {
      const email = normaliseEmail(emailInput);
      // Lengths first: nothing is counted or stored for an input no account can have.
      if (characterCount(email) > EMAIL_MAX_LENGTH) throw new BadUserInputError('email', `email must have at most ${EMAIL_MAX_LENGTH} characters`);
      if (characterCount(password) > PASSWORD_MAX_LENGTH) throw new BadUserInputError('password', `password must have at most ${PASSWORD_MAX_LENGTH} characters`);
      await limitAttempt(ctx, email);
      const user = await ctx.em.findOne(User, { email }, { populate: ['passwordHash'] });
      const valid = await verifyPassword(user?.passwordHash, password);
      if (!user || !valid) {
        await accounts.loginLimiter.failed(email, ctx.clientAddress);
        await writeAudit(ctx.em, ctx, {
          type: AuditEventType.LOGIN_FAILED,
          userId: user?.id ?? null,
          details: { reason: user ? 'WRONG_PASSWORD' : 'UNKNOWN_EMAIL' },
        });
        throw loginFailedError();
      }
      if (user.status === UserStatus.BANNED) {
        await writeAudit(ctx.em, ctx, { type: AuditEventType.LOGIN_FAILED, userId: user.id, details: { reason: 'BANNED' } });
        throw accountBannedError();
      }
      await accounts.loginLimiter.succeeded(email, ctx.clientAddress);
      // Hashes made with weaker parameters are upgraded while the password is at hand.
      const newHash = passwordNeedsRehash(user.passwordHash) ? await hashPassword(password) : null;
      const { tokens, event } = await ctx.em.transactional(async (tx) => {
        if (newHash) await runSql(tx, 'update app_user set password_hash = ? where id = ?', [newHash, user.id]);
        const tokens = deps.sessionService.open(ctx, tx, user);
        const event = recordAudit(tx, ctx, { type: AuditEventType.LOGIN_SUCCEEDED, userId: user.id });
        return { tokens, event };
      });
      logAudit(ctx.logger, event);
      return deps.sessionService.issue(ctx, user, tokens);
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
