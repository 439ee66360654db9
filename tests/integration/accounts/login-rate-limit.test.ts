import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LogInDocument } from '../../generated/graphql';
import { TEST_PASSWORD, errorCodes, send, signUp, uniqueEmail, type ClientError } from '../../utils/accounts';
import { postGraphql } from '../../utils/clients';
import { startTestServer, type TestServer } from '../../utils/test-server';

/** One request with `emails.length` aliased `logIn` fields, `a0` to `aN`, in that order. */
async function aliasedLogIns(server: TestServer, emails: string[], password: string): Promise<{ data: Record<string, unknown> | null; errors: ClientError[] }> {
  const fields = emails.map((_, i) => `a${i}: logIn(email: $e${i}, password: $p) { accessToken }`).join('\n');
  const definitions = emails.map((_, i) => `$e${i}: String!`).join(', ');
  const variables = Object.fromEntries([...emails.map((email, i) => [`e${i}`, email]), ['p', password]]);
  const response = await postGraphql(server.graphqlUrl, { query: `mutation Guess(${definitions}, $p: String!) {\n${fields}\n}`, variables });
  return { data: (response.body.data ?? null) as Record<string, unknown> | null, errors: (response.body.errors ?? []) as unknown as ClientError[] };
}

/** The error code of each aliased field, `a0` first. */
function codesByAlias(errors: ClientError[], count: number): (string | undefined)[] {
  return Array.from({ length: count }, (_, i) => errors.find((error) => error.path?.[0] === `a${i}`)?.extensions?.code);
}

describe('limits on failed log-ins', () => {
  describe('per account (10 failures by default)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(() => server?.close());

    it('should count 20 aliased logIn attempts in one request as 20: ten refused as wrong, ten as RATE_LIMITED', async () => {
      const user = await signUp(server);
      const { errors } = await aliasedLogIns(server, Array(20).fill(user.email), 'not the password');
      const codes = codesByAlias(errors, 20);
      expect(codes.slice(0, 10)).toEqual(Array(10).fill('UNAUTHENTICATED'));
      expect(codes.slice(10)).toEqual(Array(10).fill('RATE_LIMITED'));
      const limited = errors.find((error) => error.path?.[0] === 'a19')!;
      expect(limited.extensions?.retryAfterSeconds).toBeGreaterThan(0);
      expect(limited.extensions?.retryAfterSeconds).toBeLessThanOrEqual(900);
      // Past the limit even the right password is refused, until the window ends.
      const right = await send(server, LogInDocument, { email: user.email, password: TEST_PASSWORD });
      expect(errorCodes(right)).toEqual(['RATE_LIMITED']);
    });

    it('should limit one account whatever the spelling of its email', async () => {
      const user = await signUp(server);
      const spellings = Array.from({ length: 11 }, (_, i) => (i % 2 ? user.email.toUpperCase() : ` ${user.email}`));
      const { errors } = await aliasedLogIns(server, spellings, 'not the password');
      expect(codesByAlias(errors, 11)[10]).toBe('RATE_LIMITED');
    });

    it('should start the count of an account again after a successful log-in', async () => {
      const user = await signUp(server);
      const wrong = Array(9).fill(user.email);
      expect(codesByAlias((await aliasedLogIns(server, wrong, 'not the password')).errors, 9)).toEqual(Array(9).fill('UNAUTHENTICATED'));
      expect((await send(server, LogInDocument, { email: user.email, password: TEST_PASSWORD })).errors).toBeUndefined();
      expect(codesByAlias((await aliasedLogIns(server, wrong, 'not the password')).errors, 9)).toEqual(Array(9).fill('UNAUTHENTICATED'));
    });

    it('should not tell a limited unknown email from a limited known one', async () => {
      const { errors } = await aliasedLogIns(server, Array(11).fill(uniqueEmail('nobody')), 'not the password');
      expect(codesByAlias(errors, 11)).toEqual([...Array(10).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
    });
  });

  describe('per client address', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ LOGIN_FAILURES_PER_ADDRESS: '15' });
    });
    afterAll(() => server?.close());

    it('should refuse an address that fails on many accounts, even on an account it never tried', async () => {
      const emails = Array.from({ length: 20 }, () => uniqueEmail('spray'));
      const { errors } = await aliasedLogIns(server, emails, 'not the password');
      const codes = codesByAlias(errors, 20);
      expect(codes.slice(0, 15)).toEqual(Array(15).fill('UNAUTHENTICATED'));
      expect(codes.slice(15)).toEqual(Array(5).fill('RATE_LIMITED'));
      const fresh = await signUp(server);
      expect(errorCodes(await send(server, LogInDocument, { email: fresh.email, password: TEST_PASSWORD }))).toEqual(['RATE_LIMITED']);
    });
  });
});
