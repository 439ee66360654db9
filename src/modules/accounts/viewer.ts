import type { EntityManager } from '@mikro-orm/postgresql';
import { isId } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import type { AccessClaims, AccessTokenProblem, AccessTokens } from './access-token';
import { bearerToken } from './access-token';
import { Role, UserStatus } from './user.entity';

/** Who is asking, as the database says now: role and status are read fresh, never taken from the token. */
export interface Viewer {
  userId: string;
  sessionId: string;
  role: Role;
  status: UserStatus;
}

/** The outcome of recognising the caller of one request. */
export type Authentication =
  | { kind: 'anonymous' }
  | { kind: 'viewer'; viewer: Viewer }
  /** A token was sent but cannot be used: expired, forged, or its session or user is gone. */
  | { kind: 'rejected'; problem: AccessTokenProblem | 'SESSION_ENDED' };

export const ANONYMOUS: Authentication = { kind: 'anonymous' };

/**
 * Recognises the caller from an `Authorization` value: verifies the token, then reads the user's current role
 * and status and whether the session still lives, in one statement over two primary keys. This is the
 * per-request re-check: a ban, a role change or a log-out counts from the very next request.
 */
export async function authenticate(em: EntityManager, tokens: AccessTokens, authorization: unknown): Promise<Authentication> {
  const token = bearerToken(authorization);
  if (!token) return authorization ? { kind: 'rejected', problem: 'INVALID' } : ANONYMOUS;
  const claims = await tokens.verify(token);
  if (typeof claims === 'string') return { kind: 'rejected', problem: claims };
  const viewer = await loadViewer(em, claims);
  return viewer ? { kind: 'viewer', viewer } : { kind: 'rejected', problem: 'SESSION_ENDED' };
}

async function loadViewer(em: EntityManager, claims: AccessClaims): Promise<Viewer | null> {
  if (!isId(claims.sessionId) || !isId(claims.userId)) return null;
  const [row] = await runSql<{ role: Role; status: UserStatus; revoked: boolean }>(
    em,
    `select u.role, u.status, s.revoked_at is not null as revoked
       from auth_session s join app_user u on u.id = s.user_id
      where s.id = ? and u.id = ?`,
    [claims.sessionId, claims.userId],
  );
  // A banned user stays recognised, so that it is told ACCOUNT_BANNED rather than to log in again.
  if (!row || (row.revoked && row.status !== UserStatus.BANNED)) return null;
  return { userId: claims.userId, sessionId: claims.sessionId, role: row.role, status: row.status };
}
