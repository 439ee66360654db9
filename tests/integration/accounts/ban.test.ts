import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { BanUserDocument, CatalogDocument, LogInDocument, MeDocument, RefreshSessionDocument, SignUpDocument, UnbanUserDocument } from '../../generated/graphql';
import { TEST_PASSWORD, logIn, signUp, uniqueEmail } from '../../utils/accounts';
import { createUser, type TestUser } from '../../utils/buyers';
import { wsClient, wsExecute } from '../../utils/clients';
import { MyAccountDocument } from '../../utils/documents';
import { codesOf, send } from '../../utils/operations';
import { openIdleConnection, recordSubscription, within } from '../../utils/subscriptions';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('banning a user', () => {
  let server: TestServer;
  let admin: TestUser;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await createUser(server, Role.ADMIN);
  });
  afterAll(() => server?.close());

  const ban = (userId: string) => send(server, BanUserDocument, { userId, reason: 'fraudulent orders' }, { token: admin.token });

  it('should refuse the very next HTTP request, refresh and subscription of a user whose access token is still valid', async () => {
    const victim = await signUp(server);
    const subscription = recordSubscription(server.wsUrl, victim.token, MyAccountDocument);
    try {
      // The first event is the account as it is: the subscription is live before the ban.
      expect((await subscription.result(0)).data?.myAccount.status).toBe('ACTIVE');
      const started = Date.now();
      const banned = await ban(victim.id);
      expect(banned.data?.banUser).toEqual({ id: victim.id, status: 'BANNED' });

      const meResponse = await send(server, MeDocument, {}, { token: victim.token });
      expect(codesOf(meResponse)).toEqual(['FORBIDDEN']);
      expect(meResponse.errors?.[0]?.extensions?.reason).toBe('ACCOUNT_BANNED');

      const refreshResponse = await send(server, RefreshSessionDocument, { refreshToken: victim.refreshToken });
      expect(codesOf(refreshResponse)).toEqual(['FORBIDDEN']);
      expect(refreshResponse.errors?.[0]?.extensions?.reason).toBe('ACCOUNT_BANNED');

      expect(await within(subscription.closed, 1_000, 'still open')).toBe(4403);
      expect(Date.now() - started).toBeLessThan(1_500);
      // The ban itself is an account change: its data never reached the banned user, at most the refusal that ends
      // the subscription (when the change reaches the per-event check before the ban closes the socket).
      for (const result of subscription.results.slice(1)) {
        expect(result.data ?? null).toBeNull();
        expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
      }
    } finally {
      await subscription.dispose();
    }
  });

  it('should refuse a banned user even on public operations when it presents its token', async () => {
    const victim = await signUp(server);
    await ban(victim.id);
    const catalog = await send(server, CatalogDocument, { first: 1 }, { token: victim.token });
    expect(catalog.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
    const signUpAgain = await send(server, SignUpDocument, { input: { email: uniqueEmail(), password: TEST_PASSWORD, displayName: 'Again' } }, { token: victim.token });
    expect(signUpAgain.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
    // The same operations without the token are anyone's.
    expect((await send(server, CatalogDocument, { first: 1 })).errors).toBeUndefined();
  });

  it("should close a banned user's idle WebSocket with 4403, and refuse its next connection_init with 4403", async () => {
    const victim = await signUp(server);
    const before = openIdleConnection(server.wsUrl, victim.token);
    try {
      await before.connected;
      await ban(victim.id);
      expect(await within(before.closed, 1_000, 'still open')).toBe(4403);
    } finally {
      await before.dispose();
    }
    const after = wsClient(server.wsUrl, victim.token);
    try {
      const closedAfter = new Promise<number>((resolve) => after.on('closed', (event) => resolve((event as { code: number }).code)));
      await expect(wsExecute(after, MeDocument)).rejects.toMatchObject({ code: 4403 });
      expect(await closedAfter).toBe(4403);
    } finally {
      await after.dispose();
    }
  });

  it('should refuse a banned user log-in with the right password, and say ACCOUNT_BANNED only then', async () => {
    const victim = await signUp(server);
    await ban(victim.id);
    const right = await send(server, LogInDocument, { email: victim.email, password: TEST_PASSWORD });
    expect(right.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
    expect(right.data?.logIn ?? null).toBeNull();
    const wrong = await send(server, LogInDocument, { email: victim.email, password: 'not the password' });
    expect(codesOf(wrong)).toEqual(['UNAUTHENTICATED']);
  });

  it('should let an unbanned user log in again, while the sessions the ban ended stay ended', async () => {
    const victim = await signUp(server);
    await ban(victim.id);
    const unbanned = await send(server, UnbanUserDocument, { userId: victim.id }, { token: admin.token });
    expect(unbanned.data?.unbanUser).toEqual({ id: victim.id, status: 'ACTIVE' });
    expect(codesOf(await send(server, MeDocument, {}, { token: victim.token }))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await send(server, RefreshSessionDocument, { refreshToken: victim.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    const again = await logIn(server, victim.email);
    expect((await send(server, MeDocument, {}, { token: again.token })).data?.me?.status).toBe('ACTIVE');
  });

  it('should let only an ADMIN ban, unban, and never itself', async () => {
    const victim = await signUp(server);
    const support = await createUser(server, Role.SUPPORT);
    const bySupport = await send(server, BanUserDocument, { userId: victim.id, reason: 'no' }, { token: support.token });
    expect(codesOf(bySupport)).toEqual(['FORBIDDEN']);
    const byBuyer = await send(server, BanUserDocument, { userId: victim.id, reason: 'no' }, { token: victim.token });
    expect(codesOf(byBuyer)).toEqual(['FORBIDDEN']);
    expect(codesOf(await send(server, UnbanUserDocument, { userId: victim.id }, { token: support.token }))).toEqual(['FORBIDDEN']);
    const self = await ban(admin.id);
    expect(self.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    expect(codesOf(await ban('00000000-0000-7000-8000-000000000000'))).toEqual(['NOT_FOUND']);
    const blank = await send(server, BanUserDocument, { userId: victim.id, reason: '  ' }, { token: admin.token });
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    expect((await send(server, MeDocument, {}, { token: victim.token })).data?.me?.status).toBe('ACTIVE');
  });
});
