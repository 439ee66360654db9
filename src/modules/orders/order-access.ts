import type { RequestContext } from '../../graphql/context';
import { ForbiddenError } from '../../graphql/errors';
import { notAuthenticatedError } from '../accounts/accounts.errors';
import { ACCOUNT_BANNED } from '../accounts/auth.rules';
import { Role, UserStatus } from '../accounts/user.entity';
import type { Viewer } from '../accounts/viewer';

/** Who may read an order: its buyer, ADMIN and SUPPORT. To anyone else it does not exist (NOT_FOUND). */
export function canReadOrder(viewer: Viewer, order: { buyer: { id: string } }): boolean {
  return order.buyer.id === viewer.userId || viewer.role === Role.ADMIN || viewer.role === Role.SUPPORT;
}

/** Who may cancel an order: its buyer and ADMIN (SUPPORT reads but changes nothing). */
export function canCancelOrder(viewer: Viewer, order: { buyer: { id: string } }): boolean {
  return order.buyer.id === viewer.userId || viewer.role === Role.ADMIN;
}

/**
 * The logged-in, not banned caller, for code that graphql-shield does not guard: a subscription's
 * `subscribe` function (graphql-middleware wraps field resolvers, which run per event, not the subscribe).
 */
export function requireViewer(ctx: RequestContext): Viewer {
  const { auth } = ctx;
  if (auth.kind !== 'viewer') throw notAuthenticatedError(auth);
  if (auth.viewer.status === UserStatus.BANNED) throw new ForbiddenError('This account is banned', ACCOUNT_BANNED);
  return auth.viewer;
}
