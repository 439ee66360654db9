import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LogInDocument } from '../../generated/graphql';
import { TEST_PASSWORD, signUp, uniqueEmail } from '../../utils/accounts';
import { postGraphql } from '../../utils/clients';
import { codesOf, send } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

/**
 * The test server trusts its loopback proxy (TRUST_PROXY's default), so `X-Forwarded-For` chooses the client
 * address of each request: several clients from one test.
 */
function logInFrom(server: TestServer, address: string, email: string, password: string) {
  return send(server, LogInDocument, { email, password }, { headers: { 'x-forwarded-for': address } });
}

async function wrongPasswordsFrom(server: TestServer, address: string, email: string, count: number): Promise<unknown[]> {
  const codes: unknown[] = [];
  for (let i = 0; i < count; i += 1) codes.push(codesOf(await logInFrom(server, address, email, 'not the password'))[0]);
  return codes;
}

describe('limits on failed log-ins', () => {
  describe('per account and per (account, address) pair (10 and 5 failures by default)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(() => server?.close());

    it('should refuse an address with RATE_LIMITED after 5 failures on one account, and nobody else', async () => {
      const user = await signUp(server);
      const codes = await wrongPasswordsFrom(server, '198.51.100.1', user.email, 6);
      expect(codes).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
      const limited = await logInFrom(server, '198.51.100.1', user.email, TEST_PASSWORD);
      expect(codesOf(limited)).toEqual(['RATE_LIMITED']);
      expect(limited.errors![0]!.extensions?.retryAfterSeconds).toBeGreaterThan(0);
      expect(limited.errors![0]!.extensions?.retryAfterSeconds).toBeLessThanOrEqual(900);
      expect(codesOf(await logInFrom(server, '198.51.100.2', user.email, TEST_PASSWORD))).toEqual([]);
    });

    it("should not lock the owner out: past the account's 10 failures from many addresses, a clean address logs in", async () => {
      const user = await signUp(server);
      for (let i = 0; i < 5; i += 1) await wrongPasswordsFrom(server, `203.0.113.${i}`, user.email, 2);
      // The account has failed 10 times; each of those addresses has failed on it and is refused now.
      expect(codesOf(await logInFrom(server, '203.0.113.0', user.email, TEST_PASSWORD))).toEqual(['RATE_LIMITED']);
      expect(codesOf(await logInFrom(server, '203.0.113.4', user.email, 'not the password'))).toEqual(['RATE_LIMITED']);
      // The owner, from an address that never failed on it, still logs in with the right password.
      const owner = await logInFrom(server, '192.0.2.77', user.email, TEST_PASSWORD);
      expect(owner.errors).toBeUndefined();
      expect(owner.data?.logIn?.accessToken).toEqual(expect.any(String));
    });

    it('should limit one account whatever the spelling of its email', async () => {
      const user = await signUp(server);
      for (const spelling of [user.email.toUpperCase(), ` ${user.email}`, user.email, user.email.toUpperCase(), ` ${user.email} `]) {
        expect(codesOf(await logInFrom(server, '198.51.100.9', spelling, 'not the password'))).toEqual(['UNAUTHENTICATED']);
      }
      expect(codesOf(await logInFrom(server, '198.51.100.9', user.email, TEST_PASSWORD))).toEqual(['RATE_LIMITED']);
    });

    it("should start a pair's count again after a successful log-in", async () => {
      const user = await signUp(server);
      expect(await wrongPasswordsFrom(server, '198.51.100.20', user.email, 4)).toEqual(Array(4).fill('UNAUTHENTICATED'));
      expect(codesOf(await logInFrom(server, '198.51.100.20', user.email, TEST_PASSWORD))).toEqual([]);
      expect(await wrongPasswordsFrom(server, '198.51.100.20', user.email, 4)).toEqual(Array(4).fill('UNAUTHENTICATED'));
    });

    it('should not tell a limited unknown email from a limited known one', async () => {
      const codes = await wrongPasswordsFrom(server, '198.51.100.30', uniqueEmail('nobody'), 6);
      expect(codes).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
    });

    it('should refuse an over-long email or password with BAD_USER_INPUT before counting anything', async () => {
      const user = await signUp(server);
      const longEmail = await logInFrom(server, '198.51.100.40', `${'a'.repeat(3_000)}@example.test`, 'whatever password');
      expect(longEmail.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
      const longPassword = await logInFrom(server, '198.51.100.40', user.email, 'p'.repeat(129));
      expect(longPassword.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
      // Nothing was counted: five real failures still pass before the pair is refused.
      expect(await wrongPasswordsFrom(server, '198.51.100.40', user.email, 6)).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
    });
  });

  describe('per client address', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ LOGIN_FAILURES_PER_ADDRESS: '15' });
    });
    afterAll(() => server?.close());

    it('should refuse an address that fails on many accounts, even on an account it never tried', async () => {
      const codes: unknown[] = [];
      for (let i = 0; i < 20; i += 1) codes.push(codesOf(await logInFrom(server, '198.51.100.50', uniqueEmail('spray'), 'not the password'))[0]);
      expect(codes.slice(0, 15)).toEqual(Array(15).fill('UNAUTHENTICATED'));
      expect(codes.slice(15)).toEqual(Array(5).fill('RATE_LIMITED'));
      const fresh = await signUp(server);
      expect(codesOf(await logInFrom(server, '198.51.100.50', fresh.email, TEST_PASSWORD))).toEqual(['RATE_LIMITED']);
      expect(codesOf(await logInFrom(server, '198.51.100.51', fresh.email, TEST_PASSWORD))).toEqual([]);
    });

    it('should refuse a second aliased logIn in one request with BAD_USER_INPUT, running neither', async () => {
      const fresh = await signUp(server);
      const response = await postGraphql(
        server.graphqlUrl,
        { query: 'mutation Guess($e: String!) { a: logIn(email: $e, password: "one password") { accessToken } b: logIn(email: $e, password: "another password") { accessToken } }', variables: { e: fresh.email } },
        { 'x-forwarded-for': '198.51.100.60' },
      );
      expect(response.body.data ?? undefined).toBeUndefined();
      expect(response.body.errors?.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'b' })]);
    });
  });
});
