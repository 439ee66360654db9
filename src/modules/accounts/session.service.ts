import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceScope } from '../service-scope';
import { UnauthenticatedReason } from '../../shared/errors';
import { runSql } from '../../shared/sql';
import type { AccountsRuntime } from './accounts-runtime';
import { accountBannedError, refreshRefusedError } from './accounts.errors';
import { AuditEventType } from './audit-event.entity';
import { logAudit, recordAudit } from './audit';
import { hashRefreshToken, newRefreshToken } from './refresh-token';
import { RefreshToken } from './refresh-token.entity';
import { Session } from './session.entity';
import { UserStatus, type User } from './user.entity';

/** Why a session ended (`auth_session.revoked_reason`). */
export enum SessionEndReason {
  LOGOUT = 'LOGOUT',
  REFRESH_TOKEN_REUSE = 'REFRESH_TOKEN_REUSE',
  BANNED = 'BANNED',
  /** Every other session, when the password was changed. */
  PASSWORD_CHANGED = 'PASSWORD_CHANGED',
  /** Every session, when the password was reset by email. */
  PASSWORD_RESET = 'PASSWORD_RESET',
  /** Every session, when the user deleted the account. */
  ACCOUNT_DELETED = 'ACCOUNT_DELETED',
}

/** A session just opened or rotated: its id and the refresh token to hand out (never stored as such). */
export interface SessionTokens {
  sessionId: string;
  refreshToken: string;
}

interface RefreshTokenRow {
  id: string;
  session_id: string;
  user_id: string;
  used_at: Date | null;
  expires_at: Date;
  revoked_at: Date | null;
  status: UserStatus;
}

type RefreshOutcome =
  | { kind: 'rotated'; userId: string; tokens: SessionTokens }
  | { kind: 'refused' | 'unknown' | 'banned' }
  | { kind: 'reused'; userId: string; event: ReturnType<typeof recordAudit> };

/**
 * What a sign-up, a log-in, a password reset or a refresh hands out. Whether the refresh token travels in the answer's
 * body or in its cookie is the request's business: the resolver decides (`handOutSession` in refresh-cookie.ts).
 */
export interface IssuedSession {
  user: User;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  /** How long the refresh token lives, in seconds (REFRESH_TOKEN_TTL_DAYS): its cookie's `Max-Age`. */
  refreshTokenTtlSeconds: number;
}

/** What the sessions need of the app: token signing, the refresh tokens' lifetimes, the viewer cache. */
export interface SessionServiceDeps {
  accounts: Pick<AccountsRuntime, 'accessTokens' | 'refreshTokenTtlDays' | 'refreshReuseGraceSeconds' | 'viewerCache'>;
}

/** Sessions (one per log-in) and their tokens: opening, rotation with reuse detection, revocation. */
export function createSessionService(deps: SessionServiceDeps) {
  const { accounts } = deps;

  function issueRefreshToken(tx: EntityManager, scope: ServiceScope, sessionId: string): string {
    const token = newRefreshToken();
    const now = scope.clock.now();
    tx.create(RefreshToken, {
      session: sessionId,
      tokenHash: hashRefreshToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + accounts.refreshTokenTtlDays * 86_400_000),
    });
    return token;
  }

  const service = {
    /** In `tx` (the caller's transaction): a new session of `user` and its first refresh token. */
    open(scope: ServiceScope, tx: EntityManager, user: User): SessionTokens {
      const session = tx.create(Session, { user, createdAt: scope.clock.now() });
      return { sessionId: session.id, refreshToken: issueRefreshToken(tx, scope, session.id) };
    },

    /** Signs the access token of a session and assembles what the client is handed. */
    async issue(_scope: ServiceScope, user: User, tokens: SessionTokens): Promise<IssuedSession> {
      const access = await accounts.accessTokens.sign({ userId: user.id, sessionId: tokens.sessionId });
      return {
        user,
        accessToken: access.token,
        accessTokenExpiresAt: access.expiresAt,
        refreshToken: tokens.refreshToken,
        refreshTokenTtlSeconds: accounts.refreshTokenTtlDays * 86_400,
      };
    },

    /**
     * Spends a refresh token for the next one and a new access token. A token spent already means, as a rule, that it
     * was copied: the whole session is revoked (every token of that log-in) and the call fails with UNAUTHENTICATED.
     * Except within `refreshReuseGraceSeconds` of its rotation: two tabs refreshing at once, or a request retried after
     * its answer was lost, get another successor of the same session (each one good for one rotation) instead.
     * The token's row is locked, so two concurrent uses of one token are one rotation, then a reuse in its grace.
     */
    async refresh(ctx: ServiceScope, token: string): Promise<IssuedSession> {
      const outcome = await ctx.em.fork().transactional(async (tx): Promise<RefreshOutcome> => {
        const row = await findRefreshToken(tx, token, { lock: true });
        if (!row) return { kind: 'unknown' };
        if (row.status === UserStatus.BANNED) return { kind: 'banned' };
        if (row.revoked_at) return { kind: 'refused' };
        const now = ctx.clock.now();
        if (row.used_at && now.getTime() - new Date(row.used_at).getTime() <= accounts.refreshReuseGraceSeconds * 1000) {
          return { kind: 'rotated', userId: row.user_id, tokens: { sessionId: row.session_id, refreshToken: issueRefreshToken(tx, ctx, row.session_id) } };
        }
        if (row.used_at) {
          await revokeWhere(tx, 'id = ?', [row.session_id], SessionEndReason.REFRESH_TOKEN_REUSE, now);
          const event = recordAudit(tx, ctx, {
            type: AuditEventType.REFRESH_TOKEN_REUSED,
            userId: row.user_id,
            details: { sessionId: row.session_id, spentAt: row.used_at },
          });
          return { kind: 'reused', userId: row.user_id, event };
        }
        if (new Date(row.expires_at) <= now) return { kind: 'refused' };
        await runSql(tx, 'update refresh_token set used_at = ? where id = ?', [now, row.id]);
        return { kind: 'rotated', userId: row.user_id, tokens: { sessionId: row.session_id, refreshToken: issueRefreshToken(tx, ctx, row.session_id) } };
      });
      switch (outcome.kind) {
        case 'rotated': {
          const user = await ctx.loaders.userById.load(outcome.userId);
          if (!user) throw refreshRefusedError();
          return service.issue(ctx, user, outcome.tokens);
        }
        case 'banned':
          throw accountBannedError();
        case 'reused':
          await accounts.viewerCache.forget(outcome.userId);
          logAudit(ctx.logger, outcome.event);
          throw refreshRefusedError('Refresh token already used: the session is revoked, log in again');
        case 'refused':
          throw refreshRefusedError();
        case 'unknown':
          throw refreshRefusedError('Refresh token not valid: log in again', UnauthenticatedReason.TOKEN_INVALID);
        default:
          throw new Error(`unreachable refresh outcome ${JSON.stringify(outcome satisfies never)}`);
      }
    },

    /** Ends the session of a refresh token, spent or not. False when the token is unknown. */
    async logOut(ctx: ServiceScope, token: string): Promise<boolean> {
      const row = await findRefreshToken(ctx.em, token, { lock: false });
      if (!row) return false;
      await revokeWhere(ctx.em, 'id = ?', [row.session_id], SessionEndReason.LOGOUT, ctx.clock.now());
      await accounts.viewerCache.forget(row.user_id);
      return true;
    },
  };
  return service;
}

export type SessionService = ReturnType<typeof createSessionService>;

/**
 * In `tx` (the caller's transaction: a ban, a password reset, a deletion): ends every live session of a user. Their
 * access tokens fail from the next request.
 */
export function revokeSessionsOf(tx: EntityManager, userId: string, reason: SessionEndReason, now: Date): Promise<unknown> {
  return revokeWhere(tx, 'user_id = ?', [userId], reason, now);
}

async function findRefreshToken(em: EntityManager, token: string, options: { lock: boolean }): Promise<RefreshTokenRow | undefined> {
  const [row] = await runSql<RefreshTokenRow>(
    em,
    `select t.id, t.session_id, s.user_id, t.used_at, t.expires_at, s.revoked_at, u.status
       from refresh_token t
       join auth_session s on s.id = t.session_id
       join app_user u on u.id = s.user_id
      where t.token_hash = ?
      ${options.lock ? 'for update of t' : ''}`,
    [hashRefreshToken(token)],
  );
  return row;
}

/** A revoked session stays revoked: its first reason and time are kept. */
function revokeWhere(em: EntityManager, where: string, params: unknown[], reason: SessionEndReason, now: Date): Promise<unknown> {
  return runSql(em, `update auth_session set revoked_at = ?, revoked_reason = ? where ${where} and revoked_at is null`, [now, reason, ...params]);
}
