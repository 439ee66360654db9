import type { GraphQLResolveInfo } from 'graphql';
import { and, chain, rule } from 'graphql-shield';
import type { RequestContext } from '../request-context';
import { ForbiddenError } from '../../shared/errors';
import type { RuleTree } from '../../shared/rule-tree';
import { ACCOUNT_BANNED, accountBannedError, checkViewer, notAuthenticatedError } from './accounts.errors';
import { Role, UserStatus, type User } from './user.entity';

export { ACCOUNT_BANNED };

/**
 * A logged-in, not banned caller. The caller was re-read from the database for this request, so a ban
 * counts from the very next request whatever tokens are held. Cached per request.
 */
export const isAuthenticated = rule('isAuthenticated', { cache: 'contextual' })(
  (_parent, _args, ctx: RequestContext) => {
    const checked = checkViewer(ctx.actor);
    return 'refusal' in checked ? checked.refusal : true;
  },
);

const roleRules = new Map<string, ReturnType<typeof and>>();

/** A logged-in caller whose current role is one of `roles`. */
export function hasRole(...roles: Role[]) {
  // graphql-shield wants one rule object per name: the same roles always give the same rule.
  const name = `hasRole:${[...roles].sort().join(',')}`;
  let existing = roleRules.get(name);
  if (!existing) {
    const roleRule = rule(name, { cache: 'contextual' })((_parent, _args, ctx: RequestContext) =>
      ctx.viewer && roles.includes(ctx.viewer.role) ? true : new ForbiddenError(),
    );
    existing = and(isAuthenticated, roleRule);
    roleRules.set(name, existing);
  }
  return existing;
}

export const isAdmin = hasRole(Role.ADMIN);
/** ADMIN and SUPPORT: SUPPORT reads users and orders but changes nothing. */
export const isStaff = hasRole(Role.ADMIN, Role.SUPPORT);
export const isArtisan = hasRole(Role.ARTISAN);

/**
 * Anyone without a token, or with a usable one: a request that carries an expired, invalid or ended one is told so
 * (UNAUTHENTICATED with its reason) rather than answered as anonymous, so that the client refreshes. Cached per request.
 */
export const hasNoRejectedToken = rule('hasNoRejectedToken', { cache: 'contextual' })((_parent, _args, ctx: RequestContext) =>
  ctx.actor.kind === 'rejected' ? notAuthenticatedError(ctx.actor) : true,
);

/** Anyone, logged in or not, unless the token presented is a banned user's. Cached per request. */
export const isNotBanned = rule('isNotBanned', { cache: 'contextual' })((_parent, _args, ctx: RequestContext) =>
  ctx.viewer?.status === UserStatus.BANNED ? accountBannedError() : true,
);

/**
 * A user's private fields (email, role, status, createdAt): for the user itself and for staff. A user reached
 * through an AuthPayload is the caller itself, just logged in with no token on the request yet: the payload
 * carries that user's own tokens. Not cached: the answer depends on the user.
 */
export const isSelfOrStaff = rule('isSelfOrStaff', { cache: 'no_cache' })(
  (user: User, _args, ctx: RequestContext, info: GraphQLResolveInfo) => {
    if (info.path.prev?.typename === 'AuthPayload') return true;
    const viewer = ctx.viewer;
    if (viewer && viewer.status === UserStatus.ACTIVE) {
      if (viewer.userId === user.id || viewer.role === Role.ADMIN || viewer.role === Role.SUPPORT) return true;
    }
    return new ForbiddenError('Only the user itself and staff can see this');
  },
);

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Puts {@link isNotBanned} before the rule of every root field: a request carrying a banned user's token gets
 * FORBIDDEN (`reason: ACCOUNT_BANNED`) on every operation, public ones included, HTTP and WebSocket alike.
 * Done in the rule tree rather than in the context factory so that the refusal is an ordinary GraphQL error
 * (HTTP 200, one error per root field) and not a failed context (HTTP 500 from Apollo, a 4500 close from graphql-ws).
 */
export function refuseBannedCallers(tree: RuleTree): RuleTree {
  return Object.fromEntries(
    Object.entries(tree).map(([type, fields]) => [
      type,
      ROOT_TYPES.has(type) ? Object.fromEntries(Object.entries(fields).map(([field, fieldRule]) => [field, chain(isNotBanned, fieldRule)])) : fields,
    ]),
  );
}
