import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, SignJWT } from 'jose';
import { hashRefreshToken } from '../../src/modules/accounts/refresh-token';
import { runSql } from '../../src/shared/sql';
import { MeDocument, MyOrdersDocument, RefreshSessionDocument } from '../generated/graphql';
import { signUp, type TestAccount } from '../utils/accounts';
import { expectContractErrors } from '../utils/contract-errors';
import { startTestServer, type TestServer } from '../utils/test-server';
import { connectionOutcome, overHttp, overWebSocket, refusalsOf } from './transports';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Tokens an attacker makes or keeps, each of which the server must refuse. */
describe('forged, tampered and expired access tokens, over HTTP and WebSocket (production)', () => {
  let server: TestServer;
  let victim: TestAccount;
  let attacker: TestAccount;

  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production' });
    [victim, attacker] = [await signUp(server), await signUp(server)];
  });
  afterAll(() => server?.close());

  /** Claims as the server writes them, for the victim's live session, valid for an hour from `now` (seconds). */
  const claimsOf = (account: TestAccount, now = Math.floor(Date.now() / 1000)) => ({
    sub: account.id,
    sid: decodeJwt(account.token).sid,
    iss: 'atelier',
    aud: 'atelier-api',
    iat: now,
    exp: now + 3_600,
  });
  const signWith = (secret: string, claims: Record<string, unknown>, alg = 'HS256') =>
    new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));

  /** Every request carrying `token` must be told TOKEN_INVALID (or `reason`) over HTTP, and closed with 4401 over WebSocket. */
  async function expectRefused(token: string, reason = 'TOKEN_INVALID'): Promise<void> {
    for (const document of [MeDocument, MyOrdersDocument]) {
      const http = await overHttp(server, document, { first: 1 }, token);
      expect(http.status).toBe(200);
      expectContractErrors(http.body.errors);
      expect(refusalsOf(http.body)).toEqual([{ code: 'UNAUTHENTICATED', reason }]);
      // Nothing of the victim's: `me` is null, the orders absent.
      expect(JSON.stringify(http.body.data ?? null)).not.toContain(victim.id);
    }
    expect(await connectionOutcome(server, token)).toBe(4401);
  }

  it("should accept the victim's own token (the baseline the forgeries start from)", async () => {
    expect((await overHttp(server, MeDocument, {}, victim.token)).body.data).toMatchObject({ me: { id: victim.id } });
    expect(await connectionOutcome(server, victim.token)).toBe('connected');
  });

  it('should refuse an unsigned token (alg: none), however the algorithm is spelled', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      await expectRefused(`${base64url({ alg, typ: 'JWT' })}.${base64url(claimsOf(victim))}.`);
    }
  });

  it('should refuse a token signed with another secret, or with another HMAC algorithm of the right secret', async () => {
    await expectRefused(await signWith('not-the-server-secret-but-32-characters-long', claimsOf(victim)));
    await expectRefused(await signWith(server.config.auth.jwtSecret, claimsOf(victim), 'HS512'));
  });

  it("should refuse a token whose claims were changed after signing (the attacker's token made the victim's)", async () => {
    const [header, , signature] = attacker.token.split('.');
    const original = decodeJwt(attacker.token);
    await expectRefused(`${header}.${base64url({ ...original, sub: victim.id, sid: decodeJwt(victim.token).sid })}.${signature}`);
    // The attacker's own token still works: the refusal is about the change, not the account.
    expect((await overHttp(server, MeDocument, {}, attacker.token)).body.data).toMatchObject({ me: { id: attacker.id } });
  });

  it('should refuse a token of the right secret for another issuer or audience, or without a session', async () => {
    const secret = server.config.auth.jwtSecret;
    await expectRefused(await signWith(secret, { ...claimsOf(victim), iss: 'someone-else' }));
    await expectRefused(await signWith(secret, { ...claimsOf(victim), aud: 'another-api' }));
    const { sid: _sid, ...withoutSession } = claimsOf(victim);
    await expectRefused(await signWith(secret, withoutSession));
  });

  it('should refuse a refresh token, or garbage, presented as an access token', async () => {
    await expectRefused(victim.refreshToken);
    await expectRefused('a.b.c');
  });

  it('should answer an expired token with TOKEN_EXPIRED over HTTP (refresh, then retry) and close its WebSocket with 4401', async () => {
    const anHourAgo = Math.floor(Date.now() / 1000) - 3_600;
    const expired = await signWith(server.config.auth.jwtSecret, { ...claimsOf(victim, anHourAgo), exp: anHourAgo + 900 });
    await expectRefused(expired, 'TOKEN_EXPIRED');
  });
});

describe('refresh token replay, over HTTP and WebSocket (production)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production' });
  });
  afterAll(() => server?.close());

  /** As if the grace period after the token's rotation (30 s by default) had passed. */
  const afterGrace = (spentToken: string) =>
    runSql(server.database.orm.em.fork(), `update refresh_token set used_at = used_at - interval '31 seconds' where token_hash = ?`, [hashRefreshToken(spentToken)]);

  for (const transport of ['HTTP', 'WebSocket'] as const) {
    it(`should revoke the whole session when a spent refresh token is replayed over ${transport}`, async () => {
      const owner = await signUp(server);
      const rotated = await overHttp(server, RefreshSessionDocument, { refreshToken: owner.refreshToken });
      const successor = (rotated.body.data as { refreshSession: { accessToken: string; refreshToken: string } }).refreshSession;
      await afterGrace(owner.refreshToken);

      // The thief replays the copy it kept.
      const replay =
        transport === 'HTTP'
          ? (await overHttp(server, RefreshSessionDocument, { refreshToken: owner.refreshToken })).body
          : await overWebSocket(server, RefreshSessionDocument, { refreshToken: owner.refreshToken });
      expectContractErrors(replay.errors);
      expect(refusalsOf(replay)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' }]);
      expect(replay.data ?? null).toBeNull();

      // Every token of that session is dead: the successor's refresh and access tokens, on both transports.
      expect(refusalsOf((await overHttp(server, RefreshSessionDocument, { refreshToken: successor.refreshToken })).body)).toEqual([
        { code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' },
      ]);
      expect(refusalsOf((await overHttp(server, MeDocument, {}, successor.accessToken)).body)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' }]);
      expect(await connectionOutcome(server, successor.accessToken)).toBe(4401);
    });
  }

  it('should refuse a refresh token it never issued with TOKEN_INVALID, over HTTP and WebSocket', async () => {
    const forged = Buffer.alloc(32, 7).toString('base64url');
    for (const result of [
      (await overHttp(server, RefreshSessionDocument, { refreshToken: forged })).body,
      await overWebSocket(server, RefreshSessionDocument, { refreshToken: forged }),
    ]) {
      expect(refusalsOf(result)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' }]);
    }
  });
});
