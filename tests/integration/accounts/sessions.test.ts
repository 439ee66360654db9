import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { hashRefreshToken } from '../../../src/modules/accounts/refresh-token';
import { runSql } from '../../../src/shared/sql';
import { LogInDocument, LogOutDocument, MeDocument, RefreshSessionDocument } from '../../generated/graphql';
import { postGraphql } from '../../utils/clients';
import { logIn, signUp } from '../../utils/accounts';
import { codesOf, send } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('sessions: rotating refresh tokens and log-out', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  const refresh = (refreshToken: string) => send(server, RefreshSessionDocument, { refreshToken });
  const me = (token: string) => send(server, MeDocument, {}, { token });
  const rotate = async (refreshToken: string) => {
    const response = await refresh(refreshToken);
    if (!response.data?.refreshSession.refreshToken) throw new Error(`refresh failed: ${JSON.stringify(response.errors)}`);
    return { ...response.data.refreshSession, refreshToken: response.data.refreshSession.refreshToken };
  };
  /** As if the grace period (30 s by default) after the token's rotation had passed: its spending moved back 31 s. */
  const afterGrace = (spentToken: string) =>
    runSql(server.database.orm.em.fork(), `update refresh_token set used_at = used_at - interval '31 seconds' where token_hash = ?`, [hashRefreshToken(spentToken)]);
  const reasons = (response: { errors?: { extensions?: { reason?: string } }[] }) => (response.errors ?? []).map((error) => error.extensions?.reason);

  it('should store refresh tokens only as hashes', async () => {
    const account = await signUp(server);
    const rows = await runSql<Record<string, unknown>>(server.database.orm.em.fork(), 'select r.* from refresh_token r join auth_session s on s.id = r.session_id where s.user_id = ?', [account.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(account.refreshToken);
    expect(rows[0]!.token_hash).toBe(hashRefreshToken(account.refreshToken));
  });

  it('should rotate: a refresh spends the token and hands out a new pair of the same session', async () => {
    const account = await signUp(server);
    const rotated = await rotate(account.refreshToken);
    expect(rotated.refreshToken).not.toBe(account.refreshToken);
    expect(decodeJwt(rotated.accessToken).sid).toBe(decodeJwt(account.token).sid);
    expect(new Date(rotated.accessTokenExpiresAt).getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect((await me(rotated.accessToken)).data?.me?.id).toBe(account.id);
    const next = await refresh(rotated.refreshToken);
    expect(next.errors).toBeUndefined();
  });

  it('should revoke the whole session when a spent refresh token is presented again after the grace period', async () => {
    const account = await signUp(server);
    const rotated = await rotate(account.refreshToken);
    await afterGrace(account.refreshToken);
    const replay = await refresh(account.refreshToken);
    expect(codesOf(replay)).toEqual(['UNAUTHENTICATED']);
    expect(reasons(replay)).toEqual(['SESSION_ENDED']);
    // Every token descended from that log-in is dead: the newest refresh token and both access tokens.
    expect(codesOf(await refresh(rotated.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await me(rotated.accessToken))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await me(account.token))).toEqual(['UNAUTHENTICATED']);
  });

  it('should kill the session for both when a stolen refresh token is replayed after the owner rotated it', async () => {
    const owner = await signUp(server);
    const stolen = owner.refreshToken;
    const ownersNext = await rotate(owner.refreshToken);
    await afterGrace(stolen);
    // The thief tries the copy it made: refused, and the session is revoked.
    expect(codesOf(await refresh(stolen))).toEqual(['UNAUTHENTICATED']);
    // The owner is logged out too, and must log in again: whoever held the token no longer has a session.
    expect(codesOf(await refresh(ownersNext.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await me(ownersNext.accessToken))).toEqual(['UNAUTHENTICATED']);
    // Another log-in of the same user is another session, untouched.
    const other = await logIn(server, owner.email);
    expect((await me(other.token)).data?.me?.id).toBe(owner.id);
  });

  it('should kill the session for both when the thief rotated first and the owner replays its token', async () => {
    const owner = await signUp(server);
    const thiefs = await rotate(owner.refreshToken);
    await afterGrace(owner.refreshToken);
    expect(codesOf(await refresh(owner.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await refresh(thiefs.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await me(thiefs.accessToken))).toEqual(['UNAUTHENTICATED']);
  });

  it('should let two concurrent refreshes of one token (two tabs) both succeed, in the same session, which lives on', async () => {
    const account = await signUp(server);
    const outcomes = await Promise.all([refresh(account.refreshToken), refresh(account.refreshToken)]);
    expect(outcomes.map((outcome) => outcome.errors)).toEqual([undefined, undefined]);
    const [first, second] = outcomes.map((outcome) => outcome.data!.refreshSession);
    expect(first!.refreshToken).not.toBe(second!.refreshToken);
    for (const successor of [first!, second!]) {
      expect(decodeJwt(successor.accessToken).sid).toBe(decodeJwt(account.token).sid);
      expect((await me(successor.accessToken)).data?.me?.id).toBe(account.id);
      // Each successor is a live refresh token of its own.
      expect((await refresh(successor.refreshToken!)).errors).toBeUndefined();
    }
    expect((await me(account.token)).data?.me?.id).toBe(account.id);
  });

  it('should answer a spent token retried within the grace period with another successor, without revoking', async () => {
    const account = await signUp(server);
    const rotated = await rotate(account.refreshToken);
    const retried = await rotate(account.refreshToken);
    expect(retried.refreshToken).not.toBe(rotated.refreshToken);
    expect((await me(rotated.accessToken)).data?.me?.id).toBe(account.id);
    expect((await refresh(rotated.refreshToken)).errors).toBeUndefined();
    expect((await refresh(retried.refreshToken)).errors).toBeUndefined();
  });

  it('should refuse an unknown refresh token with UNAUTHENTICATED, reason TOKEN_INVALID', async () => {
    const response = await refresh('not-a-token-we-ever-issued');
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(reasons(response)).toEqual(['TOKEN_INVALID']);
  });

  it('should say why a request is not authenticated: TOKEN_INVALID, SESSION_ENDED, BAD_CREDENTIALS', async () => {
    const account = await signUp(server);
    expect(reasons(await me('not.a.jwt'))).toEqual(['TOKEN_INVALID']);
    const badLogin = await send(server, LogInDocument, { email: account.email, password: 'certainly not the password' });
    expect(reasons(badLogin)).toEqual(['BAD_CREDENTIALS']);
    await send(server, LogOutDocument, { refreshToken: account.refreshToken });
    expect(reasons(await me(account.token))).toEqual(['SESSION_ENDED']);
  });

  it('should answer an anonymous `me` with null, and the rest of the query with it', async () => {
    const response = await postGraphql(server.graphqlUrl, { query: '{ me { id } categories { id } }' });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({ me: null, categories: expect.any(Array) });
  });

  it('should end the session on log-out: its access and refresh tokens stop working, other sessions stay', async () => {
    const account = await signUp(server);
    const other = await logIn(server, account.email);
    const response = await send(server, LogOutDocument, { refreshToken: account.refreshToken });
    expect(response.data?.logOut).toBe(true);
    expect(codesOf(await me(account.token))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await refresh(account.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect((await me(other.token)).data?.me?.id).toBe(account.id);
    expect((await send(server, LogOutDocument, { refreshToken: 'unknown' })).data?.logOut).toBe(false);
  });

  it('should refuse an expired refresh token', async () => {
    const account = await signUp(server);
    await runSql(server.database.orm.em.fork(), `update refresh_token set expires_at = now() - interval '1 second' where token_hash = ?`, [
      hashRefreshToken(account.refreshToken),
    ]);
    const response = await refresh(account.refreshToken);
    expect(codesOf(response)).toEqual(['UNAUTHENTICATED']);
    expect(reasons(response)).toEqual(['SESSION_ENDED']);
  });
});
