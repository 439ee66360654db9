import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAccessTokens } from '../../../src/modules/accounts/access-token';
import { DEMO_PASSWORDS, describeDemoAccounts, ensureDemoAccounts } from '../../../src/modules/accounts/demo-accounts';
import { seedDemoCatalog } from '../../fixtures/catalog';
import { systemClock } from '../../../src/shared/clock';
import { MeDocument, UsersDocument } from '../../generated/graphql';
import { logIn } from '../../utils/accounts';
import { send } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('the development demo accounts', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    await seedDemoCatalog(server.database.orm, { products: 10 });
  });
  afterAll(() => server?.close());

  const ensure = (nodeEnv: string) =>
    ensureDemoAccounts(server.database.orm.em.fork(), {
      nodeEnv,
      accessTokens: createAccessTokens({ secret: server.config.auth.jwtSecret, ttlSeconds: 900, clock: systemClock }),
      now: new Date(),
    });

  it('should let the demo buyer, every demo artisan (owner of its shop) and the admin log in with the known passwords', async () => {
    const accounts = await ensure('development');
    expect(accounts.artisans).toEqual(['artisan1@demo.atelier.test', 'artisan2@demo.atelier.test', 'artisan3@demo.atelier.test']);

    const buyer = await logIn(server, accounts.buyer, DEMO_PASSWORDS.buyer);
    expect(buyer.role).toBe('BUYER');
    for (const email of accounts.artisans) {
      const artisan = await logIn(server, email, DEMO_PASSWORDS.artisan);
      expect((await send(server, MeDocument, {}, { token: artisan.token })).data?.me).toMatchObject({ role: 'ARTISAN', shop: { slug: expect.any(String) } });
    }
    const admin = await logIn(server, accounts.admin, DEMO_PASSWORDS.admin);
    expect((await send(server, UsersDocument, { first: 1 }, { token: admin.token })).errors).toBeUndefined();

    // The printed header works as it is.
    const me = await send(server, MeDocument, {}, { headers: { authorization: accounts.buyerAuthorization } });
    expect(me.data?.me).toMatchObject({ email: accounts.buyer, role: 'BUYER' });
    const note = describeDemoAccounts(accounts, server.graphqlUrl);
    expect(note).toContain(server.graphqlUrl);
    expect(note).toContain(accounts.buyerAuthorization);
    expect(note).toContain(DEMO_PASSWORDS.admin);
  });

  it('should add no second buyer or admin when run again', async () => {
    const before = await ensure('development');
    const again = await ensure('development');
    expect(again.artisans).toEqual(before.artisans);
    const [{ count }] = (await server.database.orm.em.fork().getConnection().execute("select count(*)::int as count from app_user where email in ('buyer@demo.atelier.test', 'admin@demo.atelier.test')")) as [{ count: number }];
    expect(count).toBe(2);
  });

  it('should never make them outside development', async () => {
    await expect(ensure('production')).rejects.toThrow('development only');
    await expect(ensure('test')).rejects.toThrow('development only');
  });
});
