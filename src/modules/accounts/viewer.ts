import type { EntityManager } from '@mikro-orm/postgresql';
import { isId } from '../../shared/ids';
import type { AccessClaims, AccessTokenProblem, AccessTokens } from './access-token';
import { bearerToken } from './access-token';
import { Role, UserStatus } from './user.entity';
import type { ViewerCache, ViewerRecord } from './viewer-cache';

/** Who is asking, as the database says now: role and status are read fresh, never taken from the token. */
export interface Viewer {
  userId: string;
  sessionId: string;
  role: Role;
  status: UserStatus;
  /**
   * The session's and user's row as the re-check read it (current, see `ViewerCache`): `me` answers from it
   * without another statement. `role` and `status` above take precedence (a subscription's re-check updates them).
   */
  record: ViewerRecord | null;
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
 * and status and whether the session still lives, never trusting the token for them. This is the per-request
 * re-check: a ban, a role change or a log-out counts from the very next request. The read goes through the
 * {@link ViewerCache}: at most one statement over two primary keys, or one Redis GET on a warm cache.
 * `em` is called only when a token has to be checked.
 */
export async function authenticate(
  em: () => EntityManager,
  tokens: AccessTokens,
  cache: ViewerCache,
  authorization: unknown,
): Promise<Authentication> {
  const token = bearerToken(authorization);
  if (!token) return authorization ? { kind: 'rejected', problem: 'INVALID' } : ANONYMOUS;
  const claims = await tokens.verify(token);
  if (typeof claims === 'string') return { kind: 'rejected', problem: claims };
  const viewer = await loadViewer(em(), cache, claims);
  return viewer ? { kind: 'viewer', viewer } : { kind: 'rejected', problem: 'SESSION_ENDED' };
}

async function loadViewer(em: EntityManager, cache: ViewerCache, claims: AccessClaims): Promise<Viewer | null> {
  if (!isId(claims.sessionId) || !isId(claims.userId)) return null;
  const record = await cache.load(em, claims.userId, claims.sessionId);
  // A banned user stays recognised, so that it is told ACCOUNT_BANNED rather than to log in again.
  if (!record || (record.revoked && record.status !== UserStatus.BANNED)) return null;
  return { userId: claims.userId, sessionId: claims.sessionId, role: record.role, status: record.status, record };
}
