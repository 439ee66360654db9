import { ForbiddenError, UnauthenticatedError } from '../../graphql/errors';

/** `extensions.reason` of the FORBIDDEN error a banned user gets, whatever it asks. */
export const ACCOUNT_BANNED = 'ACCOUNT_BANNED';

export function accountBannedError(): ForbiddenError {
  return new ForbiddenError('This account is banned', ACCOUNT_BANNED);
}

/** The one answer to a failed log-in, whether the email has an account or not. */
export function loginFailedError(): UnauthenticatedError {
  return new UnauthenticatedError('Email or password is incorrect');
}

/** A refresh token that cannot be used: unknown, expired, spent, or of an ended session. */
export function refreshRefusedError(message = 'Refresh token not valid: log in again'): UnauthenticatedError {
  return new UnauthenticatedError(message);
}
