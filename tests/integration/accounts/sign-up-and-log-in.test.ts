import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { createAccessTokens } from '../../../src/modules/accounts/access-token';
import { runSql } from '../../../src/shared/sql';
import { LogInDocument, MeDocument, SignUpDocument } from '../../generated/graphql';
import { TEST_PASSWORD, logIn, signUp, uniqueEmail } from '../../utils/accounts';
import { apolloClient } from '../../utils/clients';
import { codesOf, send } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('signing up and logging in', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('should sign up a BUYER by default and hand out a working session', async () => {
    const email = uniqueEmail();
    const { data } = await apolloClient(server.graphqlUrl).mutate({
      mutation: SignUpDocument,
      variables: { input: { email, password: TEST_PASSWORD, displayName: 'Ana' } },
    });
    expect(data?.signUp.user).toMatchObject({ email, displayName: 'Ana', role: 'BUYER', status: 'ACTIVE' });
    expect(data?.signUp.refreshToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const me = await apolloClient(server.graphqlUrl, data!.signUp.accessToken).query({ query: MeDocument });
    expect(me.data?.me).toMatchObject({ id: data!.signUp.user.id, email, role: 'BUYER', shop: null });
  });

  it('should issue a 15-minute access token naming the user and the session, and nothing about role or status', async () => {
    const account = await signUp(server);
    const claims = decodeJwt(account.token);
    expect(claims.sub).toBe(account.id);
    expect(typeof claims.sid).toBe('string');
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims).not.toHaveProperty('role');
    expect(claims).not.toHaveProperty('status');
  });

  it('should let a person sign up as an ARTISAN but never as ADMIN or SUPPORT', async () => {
    const artisan = await signUp(server, { role: 'ARTISAN' });
    expect(artisan.role).toBe('ARTISAN');
    for (const role of ['ADMIN', 'SUPPORT'] as const) {
      const response = await send(server, SignUpDocument, { input: { email: uniqueEmail(), password: TEST_PASSWORD, displayName: 'Eve', role } });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.role' });
    }
  });

  it('should normalise emails so that one address has one account whatever its case and spaces', async () => {
    const email = uniqueEmail();
    const account = await signUp(server, { email: `  ${email.toUpperCase()} ` });
    const stored = await runSql<{ email: string }>(server.database.orm.em.fork(), 'select email from app_user where id = ?', [account.id]);
    expect(stored[0]?.email).toBe(email);
    const again = await send(server, SignUpDocument, { input: { email, password: TEST_PASSWORD, displayName: 'Twin' } });
    expect(codesOf(again)).toEqual(['CONFLICT']);
    await expect(logIn(server, email.toUpperCase())).resolves.toMatchObject({ id: account.id });
  });

  it('should refuse passwords shorter than 10 or longer than 128 characters, naming the field', async () => {
    for (const password of ['short-pw1', 'x'.repeat(129)]) {
      const response = await send(server, SignUpDocument, { input: { email: uniqueEmail(), password, displayName: 'Ana' } });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.password' });
    }
    await expect(signUp(server, { password: 'x'.repeat(128) })).resolves.toMatchObject({ role: 'BUYER' });
    await expect(signUp(server, { password: '0123456789' })).resolves.toMatchObject({ role: 'BUYER' });
  });

  it('should refuse a malformed email and a blank display name, naming the field', async () => {
    const badEmail = await send(server, SignUpDocument, { input: { email: 'not-an-email', password: TEST_PASSWORD, displayName: 'Ana' } });
    expect(badEmail.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
    const blankName = await send(server, SignUpDocument, { input: { email: uniqueEmail(), password: TEST_PASSWORD, displayName: '   ' } });
    expect(blankName.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.displayName' });
  });

  it('should store only an argon2id hash with at least OWASP minimum parameters', async () => {
    const account = await signUp(server);
    const [row] = await runSql<{ password_hash: string }>(server.database.orm.em.fork(), 'select password_hash from app_user where id = ?', [account.id]);
    // PHC string format: $argon2id$v=19$m=<KiB>,p=<lanes>,t=<passes>$<salt>$<hash> (parameters in any order).
    const [, algorithm, , parameters] = row!.password_hash.split('$');
    expect(algorithm).toBe('argon2id');
    const { m: memory, t: passes, p: lanes } = Object.fromEntries(parameters!.split(',').map((pair) => [pair.split('=')[0], Number(pair.split('=')[1])]));
    expect(memory).toBeGreaterThanOrEqual(19_456);
    expect(passes).toBeGreaterThanOrEqual(2);
    expect(lanes).toBeGreaterThanOrEqual(1);
    expect(row!.password_hash).not.toContain(TEST_PASSWORD);
  });

  it('should log in with the right password and open a new session each time', async () => {
    const account = await signUp(server);
    const first = await logIn(server, account.email);
    const second = await logIn(server, account.email);
    expect(first.id).toBe(account.id);
    expect(decodeJwt(first.token).sid).not.toBe(decodeJwt(second.token).sid);
  });

  it('should say the same thing for a wrong password and an unknown email', async () => {
    const account = await signUp(server);
    const wrongPassword = await send(server, LogInDocument, { email: account.email, password: 'not the password' });
    const unknownEmail = await send(server, LogInDocument, { email: uniqueEmail(), password: 'not the password' });
    expect(wrongPassword.errors).toHaveLength(1);
    expect(unknownEmail.errors?.[0]?.message).toBe(wrongPassword.errors?.[0]?.message);
    expect(unknownEmail.errors?.[0]?.extensions).toEqual(wrongPassword.errors?.[0]?.extensions);
    expect(wrongPassword.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('should take about as long to refuse an unknown email as a wrong password', async () => {
    const account = await signUp(server);
    const time = async (email: string) => {
      const started = process.hrtime.bigint();
      await send(server, LogInDocument, { email, password: 'not the password' });
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so that a slow moment of the machine weighs on both alike. Under the per-account limit (10).
    for (let i = 0; i < 5; i += 1) {
      known.push(await time(account.email));
      unknown.push(await time(uniqueEmail()));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('should answer Me with null without a token, and with UNAUTHENTICATED and its reason for a forged or an expired one', async () => {
    const anonymous = await send(server, MeDocument, {});
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data).toEqual({ me: null });
    const account = await signUp(server);
    const forged = `${account.token.slice(0, -4)}AAAA`;
    const refused = await send(server, MeDocument, {}, { token: forged });
    expect(refused.errors?.map((error) => error.extensions)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' }]);
    const past = createAccessTokens({ secret: server.config.auth.jwtSecret, ttlSeconds: 900, clock: { now: () => new Date(Date.now() - 3_600_000) } });
    const expired = await past.sign({ userId: account.id, sessionId: decodeJwt(account.token).sid as string });
    const response = await send(server, MeDocument, {}, { token: expired.token });
    expect(response.errors?.map((error) => error.extensions)).toEqual([{ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' }]);
    expect(response.errors?.[0]?.message).toMatch(/expired/);
  });
});
