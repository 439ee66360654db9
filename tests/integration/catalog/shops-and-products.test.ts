import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { seedDemoCatalog } from '../../fixtures/catalog';
import { runSql } from '../../../src/shared/sql';
import { CategoriesDocument, CreateProductDocument, CreateShopDocument, MeDocument, MyShopDocument, ProductBySlugDocument, UpdateProductDocument } from '../../generated/graphql';
import { signUp, type TestAccount } from '../../utils/accounts';
import { createUser } from '../../utils/buyers';
import { apolloClient } from '../../utils/clients';
import { codesOf, send } from '../../utils/operations';
import { startTestServer, type TestServer } from '../../utils/test-server';

describe("artisans' shops and products", () => {
  let server: TestServer;
  let categoryId: string;
  let otherCategoryId: string;

  beforeAll(async () => {
    server = await startTestServer();
    await seedDemoCatalog(server.database.orm, { products: 10 });
    const categories = await send(server, CategoriesDocument, {});
    [categoryId, otherCategoryId] = categories.data!.categories.map((category) => category.id) as [string, string];
  });
  afterAll(() => server?.close());

  async function artisanWithShop(name = 'Atelier Lumière', currency = 'EUR'): Promise<TestAccount & { shopId: string }> {
    const artisan = await signUp(server, { role: 'ARTISAN' });
    const shop = await send(server, CreateShopDocument, { input: { name, country: 'FR', currency } }, { token: artisan.token });
    if (!shop.data) throw new Error(JSON.stringify(shop.errors));
    return { ...artisan, shopId: shop.data.createShop.id };
  }

  const product = (overrides: Record<string, unknown> = {}) => ({ title: 'Speckled mug', priceAmount: 2_400, categoryId, initialStock: 12, ...overrides });

  it('should let an artisan open one shop, with a slug made from its name and the given country and currency', async () => {
    const artisan = await signUp(server, { role: 'ARTISAN' });
    const { data } = await apolloClient(server.graphqlUrl, artisan.token).mutate({
      mutation: CreateShopDocument,
      variables: { input: { name: 'Atelier Lumière', description: 'Lamps', country: 'fr', currency: 'EUR' } },
    });
    expect(data?.createShop).toMatchObject({ name: 'Atelier Lumière', slug: expect.stringMatching(/^atelier-lumiere(-\d+)?$/), country: 'FR', currency: 'EUR' });
    const me = await send(server, MeDocument, {}, { token: artisan.token });
    expect(me.data?.me?.shop).toEqual({ id: data!.createShop.id, slug: data!.createShop.slug });
    const second = await send(server, CreateShopDocument, { input: { name: 'Another', country: 'FR', currency: 'EUR' } }, { token: artisan.token });
    expect(codesOf(second)).toEqual(['CONFLICT']);
  });

  it('should give shops of the same name distinct slugs', async () => {
    const first = await artisanWithShop('Twin Looms');
    const second = await artisanWithShop('Twin Looms');
    const slugs = await runSql<{ slug: string }>(server.database.orm.em.fork(), 'select slug from shop where id in (?, ?)', [first.shopId, second.shopId]);
    expect(new Set(slugs.map((row) => row.slug))).toEqual(new Set(['twin-looms', 'twin-looms-2']));
    // At the same moment, several pick the same free slug: the unique index refuses all but one, the others retry.
    const racing = await Promise.all([artisanWithShop('Race Studio'), artisanWithShop('Race Studio'), artisanWithShop('Race Studio')]);
    const raced = await runSql<{ slug: string }>(server.database.orm.em.fork(), 'select slug from shop where id = any(?::uuid[])', [racing.map((shop) => shop.shopId)]);
    expect(new Set(raced.map((row) => row.slug)).size).toBe(3);
  });

  it('should let only artisans open a shop', async () => {
    const buyer = await signUp(server);
    const admin = await createUser(server, Role.ADMIN);
    for (const token of [buyer.token, admin.token]) {
      expect(codesOf(await send(server, CreateShopDocument, { input: { name: 'Nope', country: 'FR', currency: 'EUR' } }, { token }))).toEqual(['FORBIDDEN']);
    }
    expect(codesOf(await send(server, CreateShopDocument, { input: { name: 'Nope', country: 'FR', currency: 'EUR' } }))).toEqual(['UNAUTHENTICATED']);
  });

  it('should refuse a country that is not ISO alpha-2, a currency we do not sell in, and a blank name, naming the field', async () => {
    const artisan = await signUp(server, { role: 'ARTISAN' });
    const cases = [
      [{ name: 'Shop', country: 'FRA', currency: 'EUR' }, 'input.country'],
      [{ name: 'Shop', country: 'XX', currency: 'EUR' }, 'input.country'],
      [{ name: 'Shop', country: 'FR', currency: 'XYZ' }, 'input.currency'],
      [{ name: 'Shop', country: 'FR', currency: 'eur' }, 'input.currency'],
      [{ name: '   ', country: 'FR', currency: 'EUR' }, 'input.name'],
    ] as const;
    for (const [input, field] of cases) {
      const response = await send(server, CreateShopDocument, { input }, { token: artisan.token });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect((await send(server, MeDocument, {}, { token: artisan.token })).data?.me?.shop).toBeNull();
  });

  it("should create a product in the artisan's own shop, priced in the shop's currency, and list it in MyShop", async () => {
    const artisan = await artisanWithShop('Kyoto Kiln', 'JPY');
    const created = await send(server, CreateProductDocument, { input: product({ priceAmount: 3_500 }) }, { token: artisan.token });
    expect(created.data?.createProduct).toMatchObject({
      title: 'Speckled mug',
      slug: expect.stringMatching(/^speckled-mug-[a-z0-9]{6}$/),
      available: 12,
      price: { amount: 3_500, currency: 'JPY' },
      shop: { id: artisan.shopId },
    });
    const mine = await send(server, MyShopDocument, { first: 10 }, { token: artisan.token });
    expect(mine.data?.me?.shop?.products.totalCount).toBe(1);
    expect(mine.data?.me?.shop?.products.edges[0]?.node.id).toBe(created.data?.createProduct.id);
    const bySlug = await send(server, ProductBySlugDocument, { slug: created.data!.createProduct.slug });
    expect(bySlug.data?.product?.shop.owner).toEqual({ id: artisan.id, displayName: 'Test User' });
  });

  it('should refuse a product without a shop, with an unknown category, or with a negative price or stock', async () => {
    const shopless = await signUp(server, { role: 'ARTISAN' });
    expect(codesOf(await send(server, CreateProductDocument, { input: product() }, { token: shopless.token }))).toEqual(['NOT_FOUND']);
    const artisan = await artisanWithShop();
    const cases = [
      [product({ categoryId: '00000000-0000-7000-8000-000000000000' }), 'input.categoryId'],
      [product({ categoryId: 'not-an-id' }), 'input.categoryId'],
      [product({ priceAmount: -1 }), 'input.priceAmount'],
      [product({ initialStock: -5 }), 'input.initialStock'],
      [product({ title: '' }), 'input.title'],
    ] as const;
    for (const [input, field] of cases) {
      const response = await send(server, CreateProductDocument, { input }, { token: artisan.token });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const buyer = await signUp(server);
    expect(codesOf(await send(server, CreateProductDocument, { input: product() }, { token: buyer.token }))).toEqual(['FORBIDDEN']);
  });

  it("should let the owning artisan update its product, keeping the slug", async () => {
    const artisan = await artisanWithShop();
    const created = (await send(server, CreateProductDocument, { input: product() }, { token: artisan.token })).data!.createProduct;
    const updated = await send(
      server,
      UpdateProductDocument,
      { id: created.id, input: { title: 'Speckled mug, large', priceAmount: 2_900, categoryId: otherCategoryId } },
      { token: artisan.token },
    );
    expect(updated.data?.updateProduct).toEqual({ id: created.id, title: 'Speckled mug, large', slug: created.slug, archived: false, price: { amount: 2_900, currency: 'EUR' }, images: [] });
    const nulled = await send(server, UpdateProductDocument, { id: created.id, input: { title: null } }, { token: artisan.token });
    expect(nulled.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.title' });
  });

  it("should not let an artisan update another artisan's product, and leave it unchanged", async () => {
    const owner = await artisanWithShop();
    const rival = await artisanWithShop();
    const created = (await send(server, CreateProductDocument, { input: product() }, { token: owner.token })).data!.createProduct;
    const attempt = await send(server, UpdateProductDocument, { id: created.id, input: { priceAmount: 1 } }, { token: rival.token });
    expect(codesOf(attempt)).toEqual(['FORBIDDEN']);
    expect(attempt.data).toBeNull();
    const buyer = await signUp(server);
    expect(codesOf(await send(server, UpdateProductDocument, { id: created.id, input: { priceAmount: 1 } }, { token: buyer.token }))).toEqual(['FORBIDDEN']);
    const unknown = await send(server, UpdateProductDocument, { id: '00000000-0000-7000-8000-000000000000', input: { priceAmount: 1 } }, { token: rival.token });
    expect(codesOf(unknown)).toEqual(['NOT_FOUND']);
    const bySlug = await send(server, ProductBySlugDocument, { slug: created.slug });
    expect(bySlug.data?.product?.price.amount).toBe(2_400);
  });

  it('should let an ADMIN update any product', async () => {
    const owner = await artisanWithShop();
    const admin = await createUser(server, Role.ADMIN);
    const created = (await send(server, CreateProductDocument, { input: product() }, { token: owner.token })).data!.createProduct;
    const updated = await send(server, UpdateProductDocument, { id: created.id, input: { description: 'Checked by the team' } }, { token: admin.token });
    expect(updated.errors).toBeUndefined();
    expect((await send(server, ProductBySlugDocument, { slug: created.slug })).data?.product?.description).toBe('Checked by the team');
  });
});
