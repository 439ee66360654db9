import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { BanUserDocument, LogInDocument, MeDocument } from '../../generated/graphql';
import { signUp } from '../../utils/accounts';
import { createUser, type TestUser } from '../../utils/buyers';
import { startCluster, type Cluster } from '../../utils/cluster';
import { MyAccountDocument } from '../../utils/documents';
import { codesOf, send } from '../../utils/operations';
import { openIdleConnection, recordSubscription, within } from '../../utils/subscriptions';
import type { TestServer } from '../../utils/test-server';

describe('bans and login limits across two instances sharing Redis', () => {
  let cluster: Cluster;
  let instanceA: TestServer;
  let instanceB: TestServer;
  let admin: TestUser;

  beforeAll(async () => {
    // Checks against PostgreSQL every 500 ms: what recovers a ban whose notification was lost.
    cluster = await startCluster({ instances: 2, redis: true, env: { LOGIN_FAILURES_PER_ACCOUNT: '3', LIVE_RECONCILE_MS: '500' } });
    [instanceA, instanceB] = cluster.instances;
    admin = await createUser(instanceA, Role.ADMIN);
  });
  afterAll(() => cluster?.close());

  it('should close the WebSocket that a user holds on instance B within a second of a ban sent to instance A', async () => {
    const victim = await signUp(instanceB);
    const subscription = recordSubscription(instanceB.wsUrl, victim.token, MyAccountDocument);
    // With nothing running on it, only the account's notification (relayed to B's account hub) can close this one.
    const idle = openIdleConnection(instanceB.wsUrl, victim.token);
    try {
      await Promise.all([subscription.result(0), idle.connected]);
      const started = Date.now();
      const response = await send(instanceA, BanUserDocument, { userId: victim.id, reason: 'chargebacks' }, { token: admin.token });
      expect(response.data?.banUser.status).toBe('BANNED');
      expect(await within(subscription.closed, 1_000, 'still open')).toBe(4403);
      expect(await within(idle.closed, 1_000, 'still open')).toBe(4403);
      expect(Date.now() - started).toBeLessThan(1_000);
      // No data after the ban: at most the refusal that ends the subscription (the account's change may reach the
      // subscription's per-event check before the broadcast closes the socket).
      for (const result of subscription.results.slice(1)) {
        expect(result.data ?? null).toBeNull();
        expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
      }
      const onB = await send(instanceB, MeDocument, {}, { token: victim.token });
      expect(onB.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
    } finally {
      await Promise.all([subscription.dispose(), idle.dispose()]);
    }
  });

  it('should count failed log-ins on both instances against one limit', async () => {
    const user = await signUp(instanceA);
    const attempt = (server: TestServer) => send(server, LogInDocument, { email: user.email, password: 'not the password' });
    expect(codesOf(await attempt(instanceA))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await attempt(instanceB))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await attempt(instanceA))).toEqual(['UNAUTHENTICATED']);
    const refused = await attempt(instanceB);
    expect(codesOf(refused)).toEqual(['RATE_LIMITED']);
    expect(refused.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('should close the WebSocket that a user holds on instance B when it was banned on instance A while Redis was down', async () => {
    const victim = await signUp(instanceB);
    const idle = openIdleConnection(instanceB.wsUrl, victim.token);
    try {
      await idle.connected;
      await cluster.redis.shutDown();
      try {
        // The ban's notification cannot travel: the relay's publish fails, and B hears nothing from Redis.
        const response = await send(instanceA, BanUserDocument, { userId: victim.id, reason: 'fraud' }, { token: admin.token });
        expect(response.data?.banUser.status).toBe('BANNED');
        // A goes away too, with anything it might still send: only B's own check can close the socket. (Last test.)
        await instanceA.close();
      } finally {
        await cluster.redis.startAgain();
      }
      // B's account hub finds the account banned in PostgreSQL (its periodic check) and closes the socket.
      expect(await within(idle.closed, 10_000, 'still open')).toBe(4403);
    } finally {
      await idle.dispose();
    }
  });
});
