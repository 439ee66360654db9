/**
 * What an email and a password must be. Pure functions: sign-up, log-in and `create-admin` share them.
 */
import { isEmail } from 'class-validator';

/** Shortest accepted password, in characters (Unicode code points). */
export const PASSWORD_MIN_LENGTH = 10;
/** Longest accepted password, in characters: argon2 would take more, but nobody types more. */
export const PASSWORD_MAX_LENGTH = 128;
/** RFC 5321's limit on a whole address. */
export const EMAIL_MAX_LENGTH = 254;

/**
 * The one spelling of an email that the database holds and compares: trimmed, NFKC, lower-cased, so that
 * `Ana@Example.com `, `ａｎａ@example.com` (full-width) and `ana@example.com` are the same account.
 */
export function normaliseEmail(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase();
}

/** Invisible and format characters (zero-width spaces and joiners, bidirectional controls, soft hyphens), controls, spaces. */
const INVISIBLE_OR_FORMAT = /[\p{Cf}\p{Cc}\p{Z}]/u;

/** Whether a (normalised) email holds a character that no one can see or type: two such emails look alike. */
export function hasInvisibleCharacters(text: string): boolean {
  return INVISIBLE_OR_FORMAT.test(text);
}

/**
 * Why an email cannot be an account's address, or null when it can: once normalised ({@link normaliseEmail}) it must
 * be an address of at most {@link EMAIL_MAX_LENGTH} characters, without invisible or formatting characters.
 */
export function emailProblem(email: string): string | null {
  const normalised = normaliseEmail(email);
  if (normalised.length > EMAIL_MAX_LENGTH || !isEmail(normalised)) return 'email must be an email address';
  if (hasInvisibleCharacters(normalised)) return 'email must not contain invisible or formatting characters';
  return null;
}

/** Bidirectional controls: a display name with a right-to-left override shows text other than it holds. */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** Length in characters, not UTF-16 code units: an emoji is one character. */
export function characterCount(text: string): number {
  return [...text].length;
}

/** Why `password` is not acceptable for an account, or null when it is. */
export function passwordProblem(password: string): string | null {
  const length = characterCount(password);
  if (length < PASSWORD_MIN_LENGTH) return `The password must have at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `The password must have at most ${PASSWORD_MAX_LENGTH} characters`;
  return null;
}

/** Passwords of ten characters or more that lists of leaked passwords put near the top. */
const COMMON_PASSWORDS = new Set([
  '1234567890', '0123456789', '12345678910', '123456789a', 'qwertyuiop', 'password12', 'password123', 'password1234',
  'iloveyou12', '1q2w3e4r5t', 'qwerty1234', 'qwerty12345', 'administrator', 'admin12345', 'admin123456', 'letmein123',
  'changeme123', 'welcome123', 'passw0rd123', 'abcdefghij', 'aaaaaaaaaa', 'zaq12wsxcde',
]);

/**
 * Stricter than {@link passwordProblem}, for operator accounts created by `npm run create-admin`: also refuses
 * well-known passwords, passwords made of very few distinct characters, and passwords containing the email's
 * local part. Sign-up keeps the contract's rule (length only) so that clients are never surprised.
 */
export function adminPasswordProblem(password: string, email: string): string | null {
  const basic = passwordProblem(password);
  if (basic) return basic;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return 'The password is too common';
  if (new Set(lower).size < 5) return 'The password must use at least 5 different characters';
  const localPart = normaliseEmail(email).split('@')[0] ?? '';
  if (localPart.length >= 3 && lower.includes(localPart)) return 'The password must not contain the email address';
  return null;
}
