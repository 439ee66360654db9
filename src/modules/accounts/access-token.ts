import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { Clock } from '../../shared/clock';

/** What an access token says: who, and which session (login) it descends from. Role and status are never in it. */
export interface AccessClaims {
  userId: string;
  sessionId: string;
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
}

export type AccessTokenProblem = 'EXPIRED' | 'INVALID';

const ISSUER = 'atelier';
const AUDIENCE = 'atelier-api';
const ALGORITHM = 'HS256';

/** The claims of ours that a token whose signature, issuer and audience jose checked must carry. */
const claimsSchema = z.object({ sub: z.string(), sid: z.string(), exp: z.number() });

/** Tokens whose signature was checked already, kept with their expiry; the least recently used go first. */
const VERIFIED_TOKENS_MAX = 10_000;

/** Signs and verifies short-lived access tokens (JWT, HS256, via jose). */
export function createAccessTokens(options: { secret: string; ttlSeconds: number; clock: Clock }) {
  const key = new TextEncoder().encode(options.secret);
  // A token's signature, issuer and audience never change: once checked, only its expiry is left to check.
  // jose's full verification cost more than the rest of an authenticated request's re-check on a warm cache.
  const verified = new LRUCache<string, { claims: AccessClaims; expiresAt: number }>({ max: VERIFIED_TOKENS_MAX });
  return {
    async sign(claims: AccessClaims): Promise<IssuedAccessToken> {
      const now = Math.floor(options.clock.now().getTime() / 1000);
      const expiresAt = now + options.ttlSeconds;
      const token = await new SignJWT({ sid: claims.sessionId })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(expiresAt)
        .sign(key);
      return { token, expiresAt: new Date(expiresAt * 1000) };
    },

    /** The claims of a valid token, or why it is not valid. Never throws. */
    async verify(token: string): Promise<AccessClaims | AccessTokenProblem> {
      const known = verified.get(token);
      if (known) {
        // As jose decides: expired once `exp` is not after now, both in whole seconds.
        return known.expiresAt > Math.floor(options.clock.now().getTime() / 1000) ? known.claims : 'EXPIRED';
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: [ALGORITHM],
          currentDate: options.clock.now(),
        });
        const parsed = claimsSchema.safeParse(payload);
        if (!parsed.success) return 'INVALID';
        const claims = { userId: parsed.data.sub, sessionId: parsed.data.sid };
        verified.set(token, { claims, expiresAt: parsed.data.exp });
        return claims;
      } catch (error) {
        return error instanceof joseErrors.JWTExpired ? 'EXPIRED' : 'INVALID';
      }
    },
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;

/** The token of an `Authorization: Bearer <token>` value, or null. */
export function bearerToken(authorization: unknown): string | null {
  if (typeof authorization !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  return match ? match[1]! : null;
}
