import type { RequestContext } from '../request-context';
import type { AuthPayload } from './auth.types';
import type { IssuedSession } from './session.service';

/** The request header by which a browser client asks for the cookie transport of its refresh token. */
export const REFRESH_TRANSPORT_HEADER = 'x-refresh-token-transport';
/** The value of {@link REFRESH_TRANSPORT_HEADER} that selects the cookie. */
export const COOKIE_TRANSPORT = 'cookie';
/** The cookie that carries the refresh token with the cookie transport. */
export const REFRESH_COOKIE_NAME = 'atelier_refresh_token';
/** The cookie is sent back only to the GraphQL endpoint: no other path of the site ever sees it. */
export const REFRESH_COOKIE_PATH = '/graphql';

/**
 * Whether the refresh token of this request's answer goes in a cookie rather than in the body: the client asked
 * (`X-Refresh-Token-Transport: cookie`), or it presented its refresh token by cookie. Never over WebSocket.
 */
export function usesCookieTransport(ctx: RequestContext): boolean {
  const http = ctx.http;
  if (!http) return false;
  return http.header(REFRESH_TRANSPORT_HEADER)?.trim().toLowerCase() === COOKIE_TRANSPORT || refreshTokenFromCookie(ctx) !== null;
}

/** The refresh token of the request's cookie, or null. */
export function refreshTokenFromCookie(ctx: RequestContext): string | null {
  const header = ctx.http?.header('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== REFRESH_COOKIE_NAME) continue;
    const value = part.slice(separator + 1).trim();
    return value || null;
  }
  return null;
}

/**
 * Sets the refresh token as an `httpOnly; Secure; SameSite=Strict` cookie of the GraphQL path, for as long as the
 * token lives: scripts cannot read it, other sites cannot make the browser send it. Apollo's CSRF prevention still
 * refuses requests that a form or an image could make (no preflight), cookie or not.
 */
function setRefreshCookie(ctx: RequestContext, token: string, maxAgeSeconds: number): void {
  ctx.http?.appendSetCookie(`${REFRESH_COOKIE_NAME}=${token}; Max-Age=${maxAgeSeconds}; Path=${REFRESH_COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict`);
}

/** Tells the browser to forget the refresh cookie (log-out). */
export function clearRefreshCookie(ctx: RequestContext): void {
  ctx.http?.appendSetCookie(`${REFRESH_COOKIE_NAME}=; Max-Age=0; Path=${REFRESH_COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict`);
}

/**
 * What the client receives of a session just issued: with the cookie transport the refresh token goes in its
 * httpOnly cookie and the body's `refreshToken` is null; otherwise it is in the body. Request-only (cookies), so the
 * resolvers call it on what the services return.
 */
export function handOutSession(ctx: RequestContext, session: IssuedSession): AuthPayload {
  const byCookie = usesCookieTransport(ctx);
  if (byCookie) setRefreshCookie(ctx, session.refreshToken, session.refreshTokenTtlSeconds);
  return {
    accessToken: session.accessToken,
    accessTokenExpiresAt: session.accessTokenExpiresAt,
    refreshToken: byCookie ? null : session.refreshToken,
    user: session.user,
  };
}
