import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { runSql } from '../../../src/shared/sql';
import { LogOutDocument, SetUserRoleDocument } from '../../generated/graphql';
import { logIn, signUp } from '../../utils/accounts';
import { createUser, type TestUser } from '../../utils/buyers';
import { MyAccountDocument } from '../../utils/documents';
import { send } from '../../utils/operations';
import { recordSubscription, within } from '../../utils/subscriptions';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { passTime } from '../../utils/wait';

describe('the per-event re-check of subscriptions', () => {
  let server: TestServer;
  let admin: TestUser;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await createUser(server, Role.ADMIN);
  });
  afterAll(() => server?.close());

  const setRole = (userId: string, role: 'BUYER' | 'ARTISAN') => send(server, SetUserRoleDocument, { userId, role }, { token: admin.token });

  it('should deliver account changes to a live session, under the new role', async () => {
    const user = await signUp(server);
    const subscription = recordSubscription(server.wsUrl, user.token, MyAccountDocument);
    try {
      expect((await subscription.result(0)).data?.myAccount.role).toBe('BUYER');
      await setRole(user.id, 'ARTISAN');
      expect((await subscription.result(1)).data?.myAccount).toEqual({ id: user.id, role: 'ARTISAN', status: 'ACTIVE' });
    } finally {
      await subscription.dispose();
    }
  });

  it('should end the subscription of a logged-out session with UNAUTHENTICATED (SESSION_ENDED) and close its socket with 4401 (not the 4403 of a ban), while the other session gets the event', async () => {
    const user = await signUp(server);
    const other = await logIn(server, user.email);
    const loggedOut = recordSubscription(server.wsUrl, user.token, MyAccountDocument);
    const live = recordSubscription(server.wsUrl, other.token, MyAccountDocument);
    try {
      await Promise.all([loggedOut.result(0), live.result(0)]);
      expect((await send(server, LogOutDocument, { refreshToken: user.refreshToken })).data?.logOut).toBe(true);
      await setRole(user.id, 'ARTISAN');
      expect((await live.result(1)).data?.myAccount.role).toBe('ARTISAN');
      expect(await within(loggedOut.closed, 1_000, 'still open')).toBe(4401);
      expect(loggedOut.results).toHaveLength(2);
      expect(loggedOut.results[1]!.data ?? null).toBeNull();
      expect(loggedOut.results[1]!.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_ENDED' });
    } finally {
      await Promise.all([loggedOut.dispose(), live.dispose()]);
    }
  });

  it("should deliver no event to a banned user, at most the FORBIDDEN that ends it, and close its socket, even when the ban's own notification was lost", async () => {
    const user = await signUp(server);
    const subscription = recordSubscription(server.wsUrl, user.token, MyAccountDocument);
    try {
      await subscription.result(0);
      // As a lost notification of the ban would leave it: banned in the database only.
      await runSql(server.database.orm.em.fork(), `update app_user set status = 'BANNED' where id = ?`, [user.id]);
      // The next account event carries the ban: the subscription's re-check refuses it, and the instance closes the
      // banned user's sockets; whichever comes first, no data reaches the subscriber.
      await setRole(user.id, 'ARTISAN');
      expect(await within(subscription.closed, 1_000, 'still open')).toBe(4403);
      expect(subscription.results.length).toBeLessThanOrEqual(2);
      for (const result of subscription.results.slice(1)) {
        expect(result.data ?? null).toBeNull();
        expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
      }
    } finally {
      await subscription.dispose();
    }
  });

  it('should refuse the subscription of an anonymous connection', async () => {
    const subscription = recordSubscription(server.wsUrl, undefined, MyAccountDocument);
    try {
      const result = await subscription.result(0);
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(result.data ?? null).toBeNull();
    } finally {
      await subscription.dispose();
    }
  });
});

describe('myAccount over the live path', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ LIVE_RECONCILE_MS: '300' });
  });
  afterAll(() => server?.close());

  it('should still deliver a change whose notification was lost (Redis down during the change), from the check against the database', async () => {
    const user = await signUp(server);
    const subscription = recordSubscription(server.wsUrl, user.token, MyAccountDocument);
    try {
      expect((await subscription.result(0)).data?.myAccount.role).toBe('BUYER');
      // Changed in the database with no notification at all: only the hub's periodic check can find it.
      await runSql(server.database.orm.em.fork(), `update app_user set role = 'ARTISAN' where id = ?`, [user.id]);
      expect((await subscription.result(1)).data?.myAccount).toEqual({ id: user.id, role: 'ARTISAN', status: 'ACTIVE' });
      // Each state once: later checks (every LIVE_RECONCILE_MS, 300) find nothing new to send.
      await passTime(1_000, 'three periodic checks of the account hub');
      expect(subscription.results).toHaveLength(2);
    } finally {
      await subscription.dispose();
    }
  });
});
