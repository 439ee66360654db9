/**
 * Root mutation fields that check a credential or create an account: each costs an argon2 hash (about 20 MiB
 * and tens of milliseconds) or sends an email, so a request may hold at most one of them. Twenty aliased
 * `signUp`s in one request were twenty accounts and twenty hashes; now they are BAD_USER_INPUT before anything
 * runs. Names of fields that a schema does not have are harmless here.
 */
export const CREDENTIAL_FIELDS: ReadonlySet<string> = new Set([
  'logIn',
  'signUp',
  'refreshSession',
  'requestPasswordReset',
  'resetPassword',
  'changePassword',
  // Checks the password like a log-in does: thirty aliases were thirty argon2 verifications in one request.
  'deleteMyAccount',
]);
