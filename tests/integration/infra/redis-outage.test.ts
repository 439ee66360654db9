import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { BanUserDocument, CatalogDocument, MeDocument } from '../../generated/graphql';
import { signUp, type TestAccount } from '../../utils/accounts';
import { createUser, type TestUser } from '../../utils/buyers';
import { codesOf, send } from '../../utils/operations';
import { startTestRedis, type TestRedis } from '../../utils/redis-server';
import { startTestServer, type TestServer } from '../../utils/test-server';

/** Resolves with `promise`, or rejects when it takes longer than `ms`: a hang is what these tests look for. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('a server whose Redis goes away', () => {
  let redis: TestRedis;
  let server: TestServer;
  let admin: TestUser;
  let victim: TestAccount;

  beforeAll(async () => {
    redis = await startTestRedis();
    server = await startTestServer({ REDIS_URL: redis.url, RUN_WORKER: 'false' });
    admin = await createUser(server, Role.ADMIN);
    victim = await signUp(server);
    await redis.stop();
  });
  afterAll(async () => {
    await server?.close();
    await redis?.stop();
  });

  it('should still answer, ban a user and refuse that user at once, from PostgreSQL alone', async () => {
    const ban = await within(send(server, BanUserDocument, { userId: victim.id, reason: 'fraud' }, { token: admin.token }), 5_000);
    expect(ban.data?.banUser).toEqual({ id: victim.id, status: 'BANNED' });
    const me = await within(send(server, MeDocument, {}, { token: victim.token }), 5_000);
    expect(codesOf(me)).toEqual(['FORBIDDEN']);
    const catalog = await within(send(server, CatalogDocument, { first: 1 }), 5_000);
    expect(catalog.errors).toBeUndefined();
  });

  it('should say it is not ready while Redis is away, and still stop cleanly', async () => {
    const response = await within(fetch(`${server.baseUrl}/readyz`), 5_000);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ checks: { postgres: 'ok', redis: 'unavailable' } });
  });
});
