import { allow } from 'graphql-shield';
import type { RuleTree } from '../../shared/rule-tree';
import { openFields } from '../../shared/rule-tree';
import { hasNoRejectedToken, isAdmin, isAuthenticated, isSelfOrStaff, isStaff } from './auth.rules';

/**
 * Accounts: signing up and logging in are open (the credentials are the check); the back office is staff's.
 * Of a user, anyone sees the public profile shown beside a shop (`id`, `displayName`, `shop`); the rest only
 * the user itself and staff.
 */
export const accountsRules: RuleTree = {
  Query: { me: hasNoRejectedToken, users: isStaff, auditEvents: isAdmin },
  Mutation: {
    signUp: allow,
    logIn: allow,
    refreshSession: allow,
    logOut: allow,
    banUser: isAdmin,
    unbanUser: isAdmin,
    setUserRole: isAdmin,
    changePassword: isAuthenticated,
    // Open: the email (or the emailed code) is the check; both are rate-limited or single-use.
    requestPasswordReset: allow,
    resetPassword: allow,
    deleteMyAccount: isAuthenticated,
  },
  Subscription: { myAccount: isAuthenticated },
  User: {
    ...openFields(['id', 'displayName', 'shop']),
    email: isSelfOrStaff,
    role: isSelfOrStaff,
    status: isSelfOrStaff,
    createdAt: isSelfOrStaff,
  },
  AuthPayload: openFields(['accessToken', 'refreshToken', 'accessTokenExpiresAt', 'user']),
  // Reached only through `users` and `auditEvents`, which are guarded.
  UserConnection: openFields(['edges', 'pageInfo', 'totalCount']),
  UserEdge: openFields(['cursor', 'node']),
  AuditEventConnection: openFields(['edges', 'pageInfo', 'totalCount']),
  AuditEventEdge: openFields(['cursor', 'node']),
  AuditEvent: openFields(['id', 'type', 'userId', 'actorId', 'clientAddress', 'requestId', 'details', 'createdAt']),
};
