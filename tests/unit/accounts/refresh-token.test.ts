import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { hashRefreshToken, newRefreshToken } from '../../../src/modules/accounts/refresh-token';

describe('refresh tokens', () => {
  it('should carry at least 256 bits of randomness', () => {
    const token = newRefreshToken();
    expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(256);
    expect(new Set(Array.from({ length: 1_000 }, newRefreshToken)).size).toBe(1_000);
  });

  it('should be stored as a SHA-256 that does not contain the token', () => {
    const token = newRefreshToken();
    const hash = hashRefreshToken(token);
    expect(hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hash).not.toContain(token);
    expect(hashRefreshToken(token)).toBe(hash);
  });
});
