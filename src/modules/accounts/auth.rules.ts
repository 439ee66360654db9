import { and, rule } from 'graphql-shield';
import type { RequestContext } from '../../graphql/context';
import { ForbiddenError, UnauthenticatedError } from '../../graphql/errors';
import { Role, UserStatus } from './user.entity';

/** `extensions.reason` of the FORBIDDEN error a banned user gets, whatever it asks. */
export const ACCOUNT_BANNED = 'ACCOUNT_BANNED';

/**
 * A logged-in, not banned caller. The caller was re-read from the database for this request, so a ban
 * counts from the very next request whatever tokens are held. Cached per request.
 */
export const isAuthenticated = rule('isAuthenticated', { cache: 'contextual' })(
  (_parent, _args, ctx: RequestContext) => {
    const { auth } = ctx;
    if (auth.kind === 'anonymous') return new UnauthenticatedError();
    if (auth.kind === 'rejected') {
      return new UnauthenticatedError(auth.problem === 'EXPIRED' ? 'Access token expired: refresh the session' : 'Access token not valid');
    }
    if (auth.viewer.status === UserStatus.BANNED) return new ForbiddenError('This account is banned', ACCOUNT_BANNED);
    return true;
  },
);

/** A logged-in caller whose current role is one of `roles`. */
export function hasRole(...roles: Role[]) {
  const roleRule = rule(`hasRole:${roles.join(',')}`, { cache: 'contextual' })((_parent, _args, ctx: RequestContext) =>
    ctx.viewer && roles.includes(ctx.viewer.role) ? true : new ForbiddenError(),
  );
  return and(isAuthenticated, roleRule);
}

export const isAdmin = hasRole(Role.ADMIN);
/** ADMIN and SUPPORT: SUPPORT reads users and orders but changes nothing. */
export const isStaff = hasRole(Role.ADMIN, Role.SUPPORT);
export const isArtisan = hasRole(Role.ARTISAN);
