import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { hashRefreshToken } from '../../../src/modules/accounts/refresh-token';
import { runSql } from '../../../src/shared/sql';
import { LogOutDocument, MeDocument, RefreshSessionDocument } from '../../generated/graphql';
import { errorCodes, logIn, send, signUp } from '../../utils/accounts';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('sessions: rotating refresh tokens and log-out', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  const refresh = (refreshToken: string) => send(server, RefreshSessionDocument, { refreshToken });
  const me = (token: string) => send(server, MeDocument, {}, { token });

  it('should store refresh tokens only as hashes', async () => {
    const account = await signUp(server);
    const rows = await runSql<Record<string, unknown>>(server.database.orm.em.fork(), 'select r.* from refresh_token r join auth_session s on s.id = r.session_id where s.user_id = ?', [account.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(account.refreshToken);
    expect(rows[0]!.token_hash).toBe(hashRefreshToken(account.refreshToken));
  });

  it('should rotate: a refresh spends the token and hands out a new pair of the same session', async () => {
    const account = await signUp(server);
    const response = await refresh(account.refreshToken);
    const rotated = response.data!.refreshSession;
    expect(rotated.refreshToken).not.toBe(account.refreshToken);
    expect(decodeJwt(rotated.accessToken).sid).toBe(decodeJwt(account.accessToken).sid);
    expect(new Date(rotated.accessTokenExpiresAt).getTime()).toBeGreaterThan(Date.now() + 800_000);
    expect((await me(rotated.accessToken)).data?.me.id).toBe(account.id);
    const next = await refresh(rotated.refreshToken);
    expect(next.errors).toBeUndefined();
  });

  it('should revoke the whole session when a spent refresh token is presented again', async () => {
    const account = await signUp(server);
    const rotated = (await refresh(account.refreshToken)).data!.refreshSession;
    const replay = await refresh(account.refreshToken);
    expect(errorCodes(replay)).toEqual(['UNAUTHENTICATED']);
    // Every token descended from that log-in is dead: the newest refresh token and both access tokens.
    expect(errorCodes(await refresh(rotated.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await me(rotated.accessToken))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await me(account.accessToken))).toEqual(['UNAUTHENTICATED']);
  });

  it('should kill the session for both when a stolen refresh token is replayed after the owner rotated it', async () => {
    const owner = await signUp(server);
    const stolen = owner.refreshToken;
    const ownersNext = (await refresh(owner.refreshToken)).data!.refreshSession;
    // The thief tries the copy it made: refused, and the session is revoked.
    expect(errorCodes(await refresh(stolen))).toEqual(['UNAUTHENTICATED']);
    // The owner is logged out too, and must log in again: whoever held the token no longer has a session.
    expect(errorCodes(await refresh(ownersNext.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await me(ownersNext.accessToken))).toEqual(['UNAUTHENTICATED']);
    // Another log-in of the same user is another session, untouched.
    const other = await logIn(server, owner.email);
    expect((await me(other.accessToken)).data?.me.id).toBe(owner.id);
  });

  it('should kill the session for both when the thief rotated first and the owner replays its token', async () => {
    const owner = await signUp(server);
    const thiefs = (await refresh(owner.refreshToken)).data!.refreshSession;
    expect(errorCodes(await refresh(owner.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await refresh(thiefs.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await me(thiefs.accessToken))).toEqual(['UNAUTHENTICATED']);
  });

  it('should count two concurrent uses of one refresh token as a rotation and a reuse', async () => {
    const account = await signUp(server);
    const outcomes = await Promise.all([refresh(account.refreshToken), refresh(account.refreshToken)]);
    expect(outcomes.filter((outcome) => outcome.errors).map(errorCodes)).toEqual([['UNAUTHENTICATED']]);
    const winner = outcomes.find((outcome) => !outcome.errors)!.data!.refreshSession;
    expect(errorCodes(await me(winner.accessToken))).toEqual(['UNAUTHENTICATED']);
  });

  it('should refuse an unknown refresh token with UNAUTHENTICATED', async () => {
    expect(errorCodes(await refresh('not-a-token-we-ever-issued'))).toEqual(['UNAUTHENTICATED']);
  });

  it('should end the session on log-out: its access and refresh tokens stop working, other sessions stay', async () => {
    const account = await signUp(server);
    const other = await logIn(server, account.email);
    const response = await send(server, LogOutDocument, { refreshToken: account.refreshToken });
    expect(response.data?.logOut).toBe(true);
    expect(errorCodes(await me(account.accessToken))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await refresh(account.refreshToken))).toEqual(['UNAUTHENTICATED']);
    expect((await me(other.accessToken)).data?.me.id).toBe(account.id);
    expect((await send(server, LogOutDocument, { refreshToken: 'unknown' })).data?.logOut).toBe(false);
  });

  it('should refuse an expired refresh token', async () => {
    const account = await signUp(server);
    await runSql(server.database.orm.em.fork(), `update refresh_token set expires_at = now() - interval '1 second' where token_hash = ?`, [
      hashRefreshToken(account.refreshToken),
    ]);
    expect(errorCodes(await refresh(account.refreshToken))).toEqual(['UNAUTHENTICATED']);
  });
});
