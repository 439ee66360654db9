import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { CreateShopDocument, MeDocument, SetUserRoleDocument, UsersDocument } from '../../generated/graphql';
import { signUp } from '../../utils/accounts';
import { createUser, type TestUser } from '../../utils/buyers';
import { apolloClient, postGraphql } from '../../utils/clients';
import { codesOf, send } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe('roles, the back office and who sees what of a user', () => {
  let server: TestServer;
  let admin: TestUser;
  let support: TestUser;

  beforeAll(async () => {
    server = await startTestServer();
    admin = await createUser(server, Role.ADMIN);
    support = await createUser(server, Role.SUPPORT);
  });
  afterAll(() => server?.close());

  const shopInput = { name: 'Kiln and Clay', country: 'FR', currency: 'EUR' };

  it('should apply a role change on the very next request, with the same access token', async () => {
    const user = await signUp(server);
    expect(codesOf(await send(server, CreateShopDocument, { input: shopInput }, { token: user.token }))).toEqual(['FORBIDDEN']);
    const promoted = await send(server, SetUserRoleDocument, { userId: user.id, role: 'ARTISAN' }, { token: admin.token });
    expect(promoted.data?.setUserRole).toEqual({ id: user.id, role: 'ARTISAN' });
    expect((await send(server, MeDocument, {}, { token: user.token })).data?.me?.role).toBe('ARTISAN');
    const shop = await send(server, CreateShopDocument, { input: shopInput }, { token: user.token });
    expect(shop.errors).toBeUndefined();
    await send(server, SetUserRoleDocument, { userId: user.id, role: 'BUYER' }, { token: admin.token });
    expect(codesOf(await send(server, CreateShopDocument, { input: shopInput }, { token: user.token }))).toEqual(['FORBIDDEN']);
  });

  it('should let only an ADMIN change roles, and not its own', async () => {
    const user = await signUp(server);
    for (const token of [support.token, user.token]) {
      expect(codesOf(await send(server, SetUserRoleDocument, { userId: user.id, role: 'ADMIN' }, { token }))).toEqual(['FORBIDDEN']);
    }
    expect(codesOf(await send(server, SetUserRoleDocument, { userId: user.id, role: 'ADMIN' }))).toEqual(['UNAUTHENTICATED']);
    const own = await send(server, SetUserRoleDocument, { userId: admin.id, role: 'BUYER' }, { token: admin.token });
    expect(own.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    expect((await send(server, MeDocument, {}, { token: user.token })).data?.me?.role).toBe('BUYER');
  });

  it('should let ADMIN and SUPPORT page through users with filters, and nobody else', async () => {
    const marker = `pager-${Date.now()}`;
    const created = [];
    for (let i = 0; i < 3; i += 1) created.push(await signUp(server, { email: `${marker}-${i}@example.test`, role: 'ARTISAN' }));
    created.push(await signUp(server, { email: `${marker}-3@example.test` }));

    const firstPage = await apolloClient(server.graphqlUrl, support.token).query({
      query: UsersDocument,
      variables: { first: 2, filter: { emailContains: marker.toUpperCase(), role: 'ARTISAN' } },
    });
    expect(firstPage.data?.users.totalCount).toBe(3);
    expect(firstPage.data?.users.edges.map((edge) => edge.node.id)).toEqual([created[2]!.id, created[1]!.id]);
    expect(firstPage.data?.users.edges[0]?.node).toMatchObject({ email: `${marker}-2@example.test`, role: 'ARTISAN', status: 'ACTIVE' });
    expect(firstPage.data?.users.pageInfo.hasNextPage).toBe(true);

    const secondPage = await send(server, UsersDocument, { first: 2, after: firstPage.data?.users.pageInfo.endCursor, filter: { emailContains: marker, role: 'ARTISAN' } }, { token: admin.token });
    expect(secondPage.data?.users.edges.map((edge) => edge.node.id)).toEqual([created[0]!.id]);
    expect(secondPage.data?.users.pageInfo.hasNextPage).toBe(false);

    const banned = await send(server, UsersDocument, { first: 10, filter: { emailContains: marker, status: 'BANNED' } }, { token: admin.token });
    expect(banned.data?.users.totalCount).toBe(0);
    // LIKE wildcards in the filter are taken literally.
    const wildcard = await send(server, UsersDocument, { first: 10, filter: { emailContains: '%' } }, { token: admin.token });
    expect(wildcard.data?.users.totalCount).toBe(0);

    const buyer = created[3]!;
    expect(codesOf(await send(server, UsersDocument, { first: 1 }, { token: buyer.token }))).toEqual(['FORBIDDEN']);
    expect(codesOf(await send(server, UsersDocument, { first: 1 }))).toEqual(['UNAUTHENTICATED']);
    const tooMany = await send(server, UsersDocument, { first: 101 }, { token: admin.token });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it("should show a user's email, role, status and creation date only to itself and to staff", async () => {
    const artisan = await signUp(server, { role: 'ARTISAN', displayName: 'Mina' });
    const shop = await send(server, CreateShopDocument, { input: { ...shopInput, name: 'Mina Ceramics' } }, { token: artisan.token });
    const slug = shop.data!.createShop.slug;
    // Shops come newest first: the first is Mina's.
    const query = `query { shops(first: 1) { edges { node { slug owner { id displayName email role status createdAt } } } } }`;
    const ownerSeenBy = async (token?: string) => {
      const response = await postGraphql(server.graphqlUrl, { query }, token ? { authorization: `Bearer ${token}` } : {});
      return response.body;
    };

    const stranger = await signUp(server);
    for (const token of [undefined, stranger.token]) {
      const body = await ownerSeenBy(token);
      // Each private field is null with its own error; the public ones and the rest of the page stay.
      expect((body.data as { shops: { edges: { node: unknown }[] } }).shops.edges[0]!.node).toEqual({
        slug,
        owner: { id: artisan.id, displayName: expect.any(String), email: null, role: null, status: null, createdAt: null },
      });
      expect((body.errors ?? []).map((error) => [error.extensions?.code, (error.path as string[]).at(-1)])).toEqual(
        expect.arrayContaining([['FORBIDDEN', 'email'], ['FORBIDDEN', 'role'], ['FORBIDDEN', 'status'], ['FORBIDDEN', 'createdAt']]),
      );
      expect(body.errors).toHaveLength(4);
      expect(JSON.stringify(body)).not.toContain(artisan.email);
    }
    for (const token of [artisan.token, support.token, admin.token]) {
      const body = await ownerSeenBy(token);
      const edges = (body.data as { shops: { edges: { node: { slug: string; owner: { email: string } } }[] } }).shops.edges;
      expect(edges[0]?.node).toMatchObject({ slug, owner: { id: artisan.id, email: artisan.email, role: 'ARTISAN', status: 'ACTIVE' } });
    }
    // The public profile is anyone's.
    const publicQuery = await postGraphql(server.graphqlUrl, { query: `query { shops(first: 100) { edges { node { slug owner { id displayName shop { id } } } } } }` });
    expect(publicQuery.body.errors).toBeUndefined();
  });

  it('should not let a buyer list users, and leak no email in the refusal', async () => {
    const buyer = await signUp(server);
    const response = await postGraphql(server.graphqlUrl, { query: `query { users(first: 5) { edges { node { email } } } }` }, { authorization: `Bearer ${buyer.token}` });
    expect(response.body.data).toBeNull();
    expect(response.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(response.body)).not.toContain('@example.test');
  });
});
