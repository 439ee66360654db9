import { createHash, randomBytes } from 'node:crypto';

/** 256 bits of randomness per refresh token: guessing one is out of reach, so a fast hash is enough to store it. */
export const REFRESH_TOKEN_BYTES = 32;

/** A new refresh token: base64url of random bytes, 43 characters. Only its hash is ever stored. */
export function newRefreshToken(): string {
  return randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
}

/**
 * What the database keeps of a refresh token: its SHA-256, hex. A stolen database does not give usable tokens,
 * and a token can still be found by equality on a unique index.
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
