import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import type { StatementCounter } from '../../../bench/lib/pg-statement-counter';
import { hashRefreshToken } from '../../../src/modules/accounts/refresh-token';
import { runSql } from '../../../src/shared/sql';
import { BanUserDocument, CreateShopDocument, LogOutDocument, MeDocument, RefreshSessionDocument, SetUserRoleDocument, UsersDocument } from '../../generated/graphql';
import { signUp, type TestAccount } from '../../utils/accounts';
import { createUser, type TestUser } from '../../utils/buyers';
import { startCluster, type Cluster } from '../../utils/cluster';
import { startCountedServer, type CountedServer } from '../../utils/counted-server';
import { codesOf, send } from '../../utils/operations';
import type { TestServer } from '../../utils/test-server';

/** Asks `Me` until the caller's viewer is surely cached (the first request reads it, the next ones hit). */
async function warm(server: TestServer, account: TestAccount): Promise<void> {
  for (let i = 0; i < 3; i += 1) {
    const response = await send(server, MeDocument, {}, { token: account.token });
    expect(response.errors).toBeUndefined();
  }
}

describe('the viewer cache of the per-request re-check, on one instance', () => {
  let setup: CountedServer;
  let counter: StatementCounter;
  let server: TestServer;
  let admin: TestUser;

  beforeAll(async () => {
    setup = await startCountedServer();
    ({ counter, server } = setup);
    admin = await createUser(server, Role.ADMIN);
  });
  afterAll(() => setup?.close());

  const me = (account: TestAccount) => send(server, MeDocument, {}, { token: account.token });

  it('should answer Me on a warm cache with at most one statement', async () => {
    const artisan = await signUp(server, { role: 'ARTISAN', displayName: 'Ada' });
    await send(server, CreateShopDocument, { input: { name: 'Ada Pottery', country: 'FR', currency: 'EUR' } }, { token: artisan.token });
    await warm(server, artisan);
    counter.reset();
    const response = await me(artisan);
    const statements = [...counter.statements];
    expect(response.errors).toBeUndefined();
    expect(response.data?.me).toMatchObject({ id: artisan.id, email: artisan.email, displayName: 'Ada', role: 'ARTISAN', status: 'ACTIVE' });
    expect(response.data?.me?.shop?.slug).toMatch(/^ada-pottery/);
    expect(statements.length).toBeLessThanOrEqual(1);
  });

  it("should refuse a banned user's very next request even with a warm cache", async () => {
    const victim = await signUp(server);
    await warm(server, victim);
    const ban = await send(server, BanUserDocument, { userId: victim.id, reason: 'fraud' }, { token: admin.token });
    expect(ban.data?.banUser.status).toBe('BANNED');
    const next = await me(victim);
    expect(next.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
  });

  it('should apply a role change from the very next request even with a warm cache', async () => {
    const user = await signUp(server);
    await warm(server, user);
    expect(codesOf(await send(server, UsersDocument, { first: 1 }, { token: user.token }))).toEqual(['FORBIDDEN']);
    await send(server, SetUserRoleDocument, { userId: user.id, role: 'SUPPORT' }, { token: admin.token });
    expect((await me(user)).data?.me?.role).toBe('SUPPORT');
    expect((await send(server, UsersDocument, { first: 1 }, { token: user.token })).errors).toBeUndefined();
  });

  it('should refuse the access token of a session logged out from the very next request even with a warm cache', async () => {
    const user = await signUp(server);
    await warm(server, user);
    expect((await send(server, LogOutDocument, { refreshToken: user.refreshToken })).data?.logOut).toBe(true);
    expect(codesOf(await me(user))).toEqual(['UNAUTHENTICATED']);
  });

  it('should refuse the access token of a session ended by refresh-token reuse from the very next request even with a warm cache', async () => {
    const user = await signUp(server);
    expect((await send(server, RefreshSessionDocument, { refreshToken: user.refreshToken })).errors).toBeUndefined();
    await warm(server, user);
    // As if the grace period after the rotation had passed: the reuse then revokes the session.
    await runSql(server.database.orm.em.fork(), `update refresh_token set used_at = used_at - interval '1 hour' where token_hash = ?`, [hashRefreshToken(user.refreshToken)]);
    expect(codesOf(await send(server, RefreshSessionDocument, { refreshToken: user.refreshToken }))).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(await me(user))).toEqual(['UNAUTHENTICATED']);
  });

  it("should show an artisan's new shop in Me from the very next request even with a warm cache", async () => {
    const artisan = await signUp(server, { role: 'ARTISAN' });
    await warm(server, artisan);
    expect((await me(artisan)).data?.me?.shop).toBeNull();
    const created = await send(server, CreateShopDocument, { input: { name: 'Loom Works', country: 'PT', currency: 'EUR' } }, { token: artisan.token });
    expect((await me(artisan)).data?.me?.shop).toEqual({ id: created.data?.createShop.id, slug: created.data?.createShop.slug });
  });
});

describe('the viewer cache across two instances sharing one database and one Redis', () => {
  let cluster: Cluster;
  let instanceA: TestServer;
  let instanceB: TestServer;
  let admin: TestUser;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, redis: true });
    [instanceA, instanceB] = cluster.instances;
    admin = await createUser(instanceA, Role.ADMIN);
  });
  afterAll(() => cluster?.close());

  it("should refuse on instance B the very next request of a user banned on instance A, with B's cache warm", async () => {
    const victim = await signUp(instanceB);
    await warm(instanceB, victim);
    await send(instanceA, BanUserDocument, { userId: victim.id, reason: 'fraud' }, { token: admin.token });
    const next = await send(instanceB, MeDocument, {}, { token: victim.token });
    expect(next.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'ACCOUNT_BANNED' });
  });

  it("should apply on instance B a role change made on instance A from the very next request, with B's cache warm", async () => {
    const user = await signUp(instanceB);
    await warm(instanceB, user);
    await send(instanceA, SetUserRoleDocument, { userId: user.id, role: 'ARTISAN' }, { token: admin.token });
    expect((await send(instanceB, MeDocument, {}, { token: user.token })).data?.me?.role).toBe('ARTISAN');
  });

  it('should refuse on instance B the very next request of a session logged out on instance A', async () => {
    const user = await signUp(instanceB);
    await warm(instanceB, user);
    await send(instanceA, LogOutDocument, { refreshToken: user.refreshToken });
    expect(codesOf(await send(instanceB, MeDocument, {}, { token: user.token }))).toEqual(['UNAUTHENTICATED']);
  });

});
