import type { MikroORM } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { RequestContext } from '../request-context';
import { AppError, ErrorCode } from '../../shared/errors';
import { accountBannedError } from './accounts.errors';
import { runSql } from '../../shared/sql';
import { UserStatus, type Role } from './user.entity';
import type { Viewer } from './viewer';

/** `extensions.reason` of the UNAUTHENTICATED error that ends the subscriptions of a session that ended. */
export const SESSION_ENDED = 'SESSION_ENDED';

interface SessionState {
  session_id: string;
  user_id: string;
  role: Role;
  status: UserStatus;
  revoked: boolean;
}

/**
 * The per-event re-check of subscriptions: before each event reaches a logged-in subscriber, its session and
 * user are read again. A ban or a log-out stops delivery at the next event, even where the ban's notification
 * has not arrived yet (another instance, a Redis hiccup) to close the socket (`ban-enforcement.ts`).
 *
 * It is cheap because it is batched: one event fans out to every subscriber of a topic in the same tick, and
 * a DataLoader without cache turns all their checks into one statement over the session primary keys. So a
 * stock change seen by 2,000 dashboards costs one query, not 2,000.
 */
export function createSubscriptionViewerCheck(orm: MikroORM): (ctx: RequestContext) => Promise<Viewer | null | AppError> {
  const sessions = new DataLoader<string, SessionState | null>(
    async (sessionIds) => {
      const rows = await runSql<SessionState>(
        orm.em.fork(),
        `select s.id as session_id, s.user_id, u.role, u.status, s.revoked_at is not null as revoked
           from auth_session s join app_user u on u.id = s.user_id
          where s.id = any(?::uuid[])`,
        [[...sessionIds]],
      );
      const byId = new Map(rows.map((row) => [row.session_id, row]));
      return sessionIds.map((id) => byId.get(id) ?? null);
    },
    { cache: false, maxBatchSize: 1_000 },
  );

  /**
   * The subscriber as it is now: the subscription's viewer with its current role (null when anonymous), for the
   * event's own context. An error when the subscriber may no longer receive anything: FORBIDDEN
   * (`reason: ACCOUNT_BANNED`) for a banned user, UNAUTHENTICATED (`reason: SESSION_ENDED`) for a session logged
   * out or a user gone.
   */
  return async (ctx) => {
    const viewer = ctx.viewer;
    if (!viewer) return null;
    const state = await sessions.load(viewer.sessionId);
    if (state && state.user_id === viewer.userId && state.status === UserStatus.BANNED) return accountBannedError();
    if (!state || state.revoked || state.status !== UserStatus.ACTIVE || state.user_id !== viewer.userId) {
      return new AppError(ErrorCode.UNAUTHENTICATED, 'The session ended: log in again', { reason: SESSION_ENDED });
    }
    return state.role === viewer.role ? viewer : { ...viewer, role: state.role };
  };
}
