import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Role } from '../../../src/modules/accounts/user.entity';
import { createProducts, createShop, type TestShop } from '../../fixtures/shops';
import { AddToCartDocument, CreateShopDocument, MyCartDocument, MyShopDocument, OrderDocument, SetCartLineQuantityDocument, UpdateProductDocument, UpdateShopDocument, type UpdateProductMutationVariables } from '../../generated/graphql';
import { ADDRESS } from '../../fixtures/addresses';
import { createUser } from '../../utils/buyers';
import { postGraphql } from '../../utils/clients';
import { codesOf, dataOf, sendAs } from '../../utils/operations';
import { checkOut } from '../../utils/order-emails';
import { startTestServer, type TestServer } from '../../utils/test-server';
import { waitFor } from '../../utils/wait';

/** `updateProduct` with `archived` alone, sent raw: the tests read the answer's errors as they come. */
const ARCHIVE = 'mutation Archive($id: ID!, $archived: Boolean!) { updateProduct(id: $id, input: { archived: $archived }) { id archived } }';
const CATALOG = 'query CatalogIds($search: String) { products(first: 100, filter: { search: $search }) { totalCount edges { node { id } } } }';
const PRODUCT_BY_SLUG = 'query ProductArchived($slug: String!) { product(slug: $slug) { id archived } }';
const SHOP_PAGE = 'query ShopPage { shops(first: 10) { edges { node { id products(first: 10) { totalCount edges { node { id } } } } } } }';

describe('shops and products that change (UpdateShop, archived products)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ RUN_WORKER: 'false' });
  });
  afterAll(() => server?.close());

  const raw = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
    postGraphql(server.graphqlUrl, { query, variables }, token ? { authorization: `Bearer ${token}` } : {});

  describe('updateShop', () => {
    it('should rename the shop and move its slug while no order references it, then keep the slug', async () => {
      const artisan = await createUser(server, Role.ARTISAN);
      const created = dataOf(await sendAs(server.graphqlUrl, artisan.token, CreateShopDocument, { input: { name: 'Clay Corner', country: 'FR', currency: 'EUR' } })).createShop;
      expect(created.slug).toBe('clay-corner');

      const renamed = dataOf(await sendAs(server.graphqlUrl, artisan.token, UpdateShopDocument, { input: { name: 'Blue Clay', description: ' Hand-thrown in Lyon ' } })).updateShop;
      expect(renamed).toMatchObject({ id: created.id, name: 'Blue Clay', slug: 'blue-clay', description: 'Hand-thrown in Lyon' });
      // Me.shop is answered from the viewer cache: it must show the change at once.
      expect(dataOf(await sendAs(server.graphqlUrl, artisan.token, MyShopDocument, { first: 1 })).me!.shop).toMatchObject({ name: 'Blue Clay', slug: 'blue-clay' });
      const kept = dataOf(await sendAs(server.graphqlUrl, artisan.token, UpdateShopDocument, { input: { description: null } })).updateShop;
      expect(kept).toMatchObject({ name: 'Blue Clay', slug: 'blue-clay', description: null });

      const shop: TestShop = { id: created.id, currency: 'EUR', owner: artisan };
      const [productId] = (await createProducts(server, shop, [{ stock: 5 }])) as [string];
      await checkOut(server, await createUser(server), [{ productId, quantity: 1 }]);
      const afterOrder = dataOf(await sendAs(server.graphqlUrl, artisan.token, UpdateShopDocument, { input: { name: 'Green Clay' } })).updateShop;
      expect(afterOrder).toMatchObject({ name: 'Green Clay', slug: 'blue-clay' });
    });

    it('should refuse a buyer with FORBIDDEN, an artisan without a shop with NOT_FOUND, and a blank name with BAD_USER_INPUT', async () => {
      const buyer = await createUser(server);
      expect(codesOf(await sendAs(server.graphqlUrl, buyer.token, UpdateShopDocument, { input: { name: 'Mine now' } }))).toEqual(['FORBIDDEN']);
      const artisan = await createUser(server, Role.ARTISAN);
      expect(codesOf(await sendAs(server.graphqlUrl, artisan.token, UpdateShopDocument, { input: { name: 'Nowhere' } }))).toEqual(['NOT_FOUND']);
      const shop = await createShop(server);
      const blank = await sendAs(server.graphqlUrl, shop.owner.token, UpdateShopDocument, { input: { name: '   ' } });
      expect(codesOf(blank)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('archived products', () => {
    it("should leave the catalogue, search and the public shop page at once (cached answers included), stay in the artisan's shop, and come back", async () => {
      const shop = await createShop(server);
      const [kept, archived] = (await createProducts(server, shop, [{ stock: 5 }, { stock: 5 }])) as [string, string];
      const catalogIds = async (search?: string) => ((await raw(CATALOG, { search })).body.data as { products: { edges: { node: { id: string } }[] } }).products.edges.map((edge) => edge.node.id);
      const shopPageIds = async (token?: string) => {
        const response = await raw(SHOP_PAGE, {}, token);
        if (!response.body.data) throw new Error(JSON.stringify(response.body.errors));
        const data = response.body.data as { shops: { edges: { node: { id: string; products: { totalCount: number; edges: { node: { id: string } }[] } } }[] } };
        const node = data.shops.edges.find((edge) => edge.node.id === shop.id)!.node;
        return { ids: node.products.edges.map((edge) => edge.node.id), total: node.products.totalCount };
      };
      // The fixture's title, "Product <last 8 of its id>", found by search as a buyer would type it.
      const archivedTitle = `Product ${archived.slice(-8)}`;
      // Warm the anonymous response cache with answers that hold the product.
      expect(await catalogIds()).toContain(archived);
      expect(await catalogIds(archivedTitle)).toEqual([archived]);
      // The creations' notifications may still be on their way and drop a first answer: read until the cache answers.
      await waitFor(async () => (await raw(CATALOG, {})).headers.get('x-cache') === 'HIT', 3_000, 'a cache HIT', 20);
      expect((await shopPageIds()).ids).toContain(archived);

      const done = await raw(ARCHIVE, { id: archived, archived: true }, shop.owner.token);
      expect(done.body.data).toEqual({ updateProduct: { id: archived, archived: true } });
      expect(await catalogIds()).not.toContain(archived);
      expect(await catalogIds()).toContain(kept);
      expect(await catalogIds(archivedTitle)).toEqual([]);
      expect(await shopPageIds()).toEqual({ ids: [kept], total: 1 });
      // A link to it (an order's, an email's) still opens it, marked archived.
      expect((await raw(PRODUCT_BY_SLUG, { slug: `product-${archived}` })).body.data).toEqual({ product: { id: archived, archived: true } });
      const own = dataOf(await sendAs(server.graphqlUrl, shop.owner.token, MyShopDocument, { first: 10 })).me!.shop!.products;
      expect(own.edges.map((edge) => edge.node.id).sort()).toEqual([kept, archived].sort());
      expect(own.totalCount).toBe(2);

      expect((await raw(ARCHIVE, { id: archived, archived: false }, shop.owner.token)).body.data).toEqual({ updateProduct: { id: archived, archived: false } });
      expect(await catalogIds()).toContain(archived);
      expect(await catalogIds(archivedTitle)).toEqual([archived]);
    });

    it('should be refused by addToCart and checkout with BAD_USER_INPUT, while carts and orders that hold it keep showing it', async () => {
      const shop = await createShop(server);
      const [product, other] = (await createProducts(server, shop, [{ stock: 5 }, { stock: 5 }])) as [string, string];
      const [earlier, holder, newcomer] = [await createUser(server), await createUser(server), await createUser(server)];
      const order = await checkOut(server, earlier, [{ productId: product, quantity: 1 }]);
      dataOf(await sendAs(server.graphqlUrl, holder.token, AddToCartDocument, { productId: product, quantity: 1 }));
      expect((await raw(ARCHIVE, { id: product, archived: true }, shop.owner.token)).body.errors).toBeUndefined();

      const refused = await sendAs(server.graphqlUrl, newcomer.token, AddToCartDocument, { productId: product, quantity: 1 });
      expect(codesOf(refused)).toEqual(['BAD_USER_INPUT']);
      expect(codesOf(await sendAs(server.graphqlUrl, holder.token, AddToCartDocument, { productId: product, quantity: 1 }))).toEqual(['BAD_USER_INPUT']);
      const cart = dataOf(await sendAs(server.graphqlUrl, holder.token, MyCartDocument, {})).cart;
      expect(cart.lines.map((line) => line.product.id)).toEqual([product]);
      dataOf(await sendAs(server.graphqlUrl, holder.token, AddToCartDocument, { productId: other, quantity: 1 }));
      const checkout = await raw(
        'mutation Buy($input: CheckoutInput!) { checkout(input: $input) { id } }',
        { input: { idempotencyKey: 'archived', shippingAddress: ADDRESS } },
        holder.token,
      );
      expect((checkout.body.errors as unknown as { extensions: { code: string; field: string } }[])[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cart' });
      // Removing it is always allowed; then checkout goes through.
      dataOf(await sendAs(server.graphqlUrl, holder.token, SetCartLineQuantityDocument, { productId: product, quantity: 0 }));
      expect((await raw('mutation Buy($input: CheckoutInput!) { checkout(input: $input) { id } }', { input: { idempotencyKey: 'archived-2', shippingAddress: ADDRESS } }, holder.token)).body.errors).toBeUndefined();

      const seen = dataOf(await sendAs(server.graphqlUrl, earlier.token, OrderDocument, { id: order.id })).order;
      expect(seen.lines.map((line) => line.product.id)).toEqual([product]);
    });

    it('should replace the images with UpdateProduct, keep them when not given, clear them with an empty list, and refuse more than 8', async () => {
      const shop = await createShop(server);
      const [product] = (await createProducts(server, shop, [{}])) as [string];
      const update = (input: UpdateProductMutationVariables['input']) => sendAs(server.graphqlUrl, shop.owner.token, UpdateProductDocument, { id: product, input });
      const images = [
        { url: 'https://cdn.example.test/jug-front.jpg', alt: 'The jug, from the front' },
        { url: 'https://cdn.example.test/jug-side.jpg', alt: '' },
      ];
      expect(dataOf(await update({ images })).updateProduct).toMatchObject({ id: product, archived: false, images });
      expect(dataOf(await update({ title: 'Blue jug' })).updateProduct).toMatchObject({ title: 'Blue jug', images });
      const nine = Array.from({ length: 9 }, (_, i) => ({ url: `https://cdn.example.test/${i}.jpg`, alt: '' }));
      const tooMany = await update({ images: nine });
      expect(codesOf(tooMany)).toEqual(['BAD_USER_INPUT']);
      expect(tooMany.errors[0]!.extensions?.field).toBe('input.images');
      expect(dataOf(await update({ archived: true, images: [] })).updateProduct).toMatchObject({ archived: true, images: [] });
    });

    it("should let only the product's artisan or an ADMIN archive it", async () => {
      const shop = await createShop(server);
      const other = await createShop(server);
      const [product] = (await createProducts(server, shop, [{}])) as [string];
      const codes = (body: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => (body.errors ?? []).map((error) => error.extensions?.code);
      expect(codes((await raw(ARCHIVE, { id: product, archived: true }, other.owner.token)).body)).toEqual(['FORBIDDEN']);
      expect(codes((await raw(ARCHIVE, { id: product, archived: true }, (await createUser(server)).token)).body)).toEqual(['FORBIDDEN']);
      expect(codes((await raw(ARCHIVE, { id: product, archived: true }, (await createUser(server, Role.ADMIN)).token)).body)).toEqual([]);
    });
  });
});
