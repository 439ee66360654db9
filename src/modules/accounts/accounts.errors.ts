import type { Actor, ServiceScope } from '../service-scope';
import { ForbiddenError, UnauthenticatedError, UnauthenticatedReason, type AppError } from '../../shared/errors';
import { UserStatus } from './user.entity';
import type { Authentication, Viewer } from './viewer';

/** `extensions.reason` of the FORBIDDEN error a banned user gets, whatever it asks. */
export const ACCOUNT_BANNED = 'ACCOUNT_BANNED';

export function accountBannedError(): ForbiddenError {
  return new ForbiddenError('This account is banned', ACCOUNT_BANNED);
}

/** The one answer to a failed log-in, whether the email has an account or not. */
export function loginFailedError(): UnauthenticatedError {
  return new UnauthenticatedError('Email or password is incorrect', UnauthenticatedReason.BAD_CREDENTIALS);
}

/**
 * A refresh token that cannot be used: unknown (`TOKEN_INVALID`), or expired, spent, or of an ended session
 * (`SESSION_ENDED`): either way the client logs in again.
 */
export function refreshRefusedError(
  message = 'Refresh token not valid: log in again',
  reason: UnauthenticatedReason = UnauthenticatedReason.SESSION_ENDED,
): UnauthenticatedError {
  return new UnauthenticatedError(message, reason);
}

/** Why a request that needs a caller has none: no token, or the one it carries cannot be used. */
export function notAuthenticatedError(auth: Exclude<Authentication, { kind: 'viewer' }>): UnauthenticatedError {
  if (auth.kind === 'anonymous') return new UnauthenticatedError();
  switch (auth.problem) {
    case 'EXPIRED':
      return new UnauthenticatedError('Access token expired: refresh the session', UnauthenticatedReason.TOKEN_EXPIRED);
    case 'SESSION_ENDED':
      return new UnauthenticatedError('The session has ended: log in again', UnauthenticatedReason.SESSION_ENDED);
    case 'INVALID':
      return new UnauthenticatedError('Access token not valid', UnauthenticatedReason.TOKEN_INVALID);
    default: {
      const unreachable: never = auth.problem;
      throw new Error(`unknown token problem ${String(unreachable)}`);
    }
  }
}

/**
 * The one check of "a logged-in, not banned caller": the viewer, or the error that says why not (UNAUTHENTICATED with
 * its reason, FORBIDDEN for a banned account). {@link requireViewer} throws that error; the shield's `isAuthenticated`
 * rule returns it, so that both answer alike.
 */
export function checkViewer(auth: Actor): { viewer: Viewer } | { refusal: AppError } {
  // Only a user's request asks for a viewer: a job or a webhook that does is a defect, not a client's mistake.
  if (auth.kind === 'system') throw new Error(`the system actor ${auth.name} acts for no user`);
  if (auth.kind !== 'viewer') return { refusal: notAuthenticatedError(auth) };
  if (auth.viewer.status === UserStatus.BANNED) return { refusal: accountBannedError() };
  return { viewer: auth.viewer };
}

/**
 * The one viewer guard: the logged-in, not banned caller, or the error that says why not (UNAUTHENTICATED with its
 * reason, FORBIDDEN for a banned account), never a plain `Error` (which a client would see as INTERNAL_SERVER_ERROR).
 * graphql-shield already refuses these callers on guarded fields; services call this to get the viewer typed, and a
 * subscription's `subscribe` (which the shield does not wrap) to be guarded.
 */
export function requireViewer(ctx: ServiceScope): Viewer {
  const checked = checkViewer(ctx.actor);
  if ('refusal' in checked) throw checked.refusal;
  return checked.viewer;
}
