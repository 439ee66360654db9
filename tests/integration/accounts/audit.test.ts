import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { BanUserDocument, LogInDocument, RefreshSessionDocument, SetUserRoleDocument, SignUpDocument, UnbanUserDocument } from '../../generated/graphql';
import { TEST_PASSWORD, signUp, uniqueEmail } from '../../utils/accounts';
import { createUser, type TestUser } from '../../utils/buyers';
import { AuditEventsDocument, type AuditEventsQuery } from '../../utils/documents';
import { codesOf, send } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

type AuditNode = AuditEventsQuery['auditEvents']['edges'][number]['node'];

describe('the audit trail', () => {
  let server: TestServer;
  let admin: TestUser;

  beforeAll(async () => {
    server = await startTestServer({ REFRESH_REUSE_GRACE_SECONDS: '0' });
    admin = await createUser(server, Role.ADMIN);
  });
  afterAll(() => server?.close());

  async function eventsOf(userId: string): Promise<AuditNode[]> {
    const response = await send(server, AuditEventsDocument, { first: 50, filter: { userId } }, { token: admin.token });
    expect(response.errors).toBeUndefined();
    return response.data!.auditEvents.edges.map((edge) => edge.node).reverse();
  }

  it('should keep sign-ups, logins, reuse, bans, unbans and role changes with user id, client address and request id', async () => {
    const email = uniqueEmail();
    const signUpResponse = await send(server, SignUpDocument, { input: { email, password: TEST_PASSWORD, displayName: 'Audited' } }, { headers: { 'x-request-id': 'req-sign-up' } });
    const user = signUpResponse.data!.signUp;
    const userId = user.user.id;
    await send(server, LogInDocument, { email, password: 'not the password' }, { headers: { 'x-request-id': 'req-login-failed' } });
    await send(server, LogInDocument, { email, password: TEST_PASSWORD }, { headers: { 'x-request-id': 'req-login-ok' } });
    await send(server, RefreshSessionDocument, { refreshToken: user.refreshToken! });
    await send(server, RefreshSessionDocument, { refreshToken: user.refreshToken! }, { headers: { 'x-request-id': 'req-reuse' } });
    const asAdmin = (requestId: string) => ({ token: admin.token, headers: { 'x-request-id': requestId } });
    await send(server, SetUserRoleDocument, { userId, role: 'ARTISAN' }, asAdmin('req-role'));
    await send(server, BanUserDocument, { userId, reason: 'spam' }, asAdmin('req-ban'));
    await send(server, UnbanUserDocument, { userId }, asAdmin('req-unban'));

    const events = await eventsOf(userId);
    expect(events.map((event) => [event.type, event.requestId])).toEqual([
      ['SIGN_UP', 'req-sign-up'],
      ['LOGIN_FAILED', 'req-login-failed'],
      ['LOGIN_SUCCEEDED', 'req-login-ok'],
      ['REFRESH_TOKEN_REUSED', 'req-reuse'],
      ['ROLE_CHANGED', 'req-role'],
      ['USER_BANNED', 'req-ban'],
      ['USER_UNBANNED', 'req-unban'],
    ]);
    for (const event of events) {
      expect(event.userId).toBe(userId);
      expect(event.clientAddress).toMatch(/127\.0\.0\.1/);
    }
    const byType = Object.fromEntries(events.map((event) => [event.type, event]));
    expect(byType.ROLE_CHANGED).toMatchObject({ actorId: admin.id, details: { from: 'BUYER', to: 'ARTISAN' } });
    expect(byType.USER_BANNED).toMatchObject({ actorId: admin.id, details: { reason: 'spam' } });
    expect(byType.LOGIN_FAILED?.details).toEqual({ reason: 'WRONG_PASSWORD' });
    expect(byType.SIGN_UP).toMatchObject({ actorId: null, details: { role: 'BUYER' } });
  });

  it('should record a failed log-in to an unknown email with no user', async () => {
    await send(server, LogInDocument, { email: uniqueEmail('ghost'), password: 'not the password' }, { headers: { 'x-request-id': 'req-ghost' } });
    const response = await send(server, AuditEventsDocument, { first: 20, filter: { type: 'LOGIN_FAILED' } }, { token: admin.token });
    const ghost = response.data!.auditEvents.edges.find((edge) => edge.node.requestId === 'req-ghost')?.node;
    expect(ghost).toMatchObject({ type: 'LOGIN_FAILED', userId: null, details: { reason: 'UNKNOWN_EMAIL' } });
  });

  it('should page through the trail newest first', async () => {
    const first = await send(server, AuditEventsDocument, { first: 2 }, { token: admin.token });
    const page = first.data!.auditEvents;
    expect(page.edges).toHaveLength(2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await send(server, AuditEventsDocument, { first: 2, after: page.pageInfo.endCursor }, { token: admin.token });
    const ids = [...page.edges, ...second.data!.auditEvents.edges].map((edge) => edge.node.id);
    expect(new Set(ids).size).toBe(4);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(second.data!.auditEvents.totalCount).toBe(page.totalCount);
  });

  it('should show the trail to ADMIN only', async () => {
    const support = await createUser(server, Role.SUPPORT);
    const buyer = await signUp(server);
    for (const token of [support.token, buyer.token]) {
      expect(codesOf(await send(server, AuditEventsDocument, { first: 1 }, { token }))).toEqual(['FORBIDDEN']);
    }
    expect(codesOf(await send(server, AuditEventsDocument, { first: 1 }))).toEqual(['UNAUTHENTICATED']);
  });
});
