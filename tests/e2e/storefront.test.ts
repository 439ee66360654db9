import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gql } from '@apollo/client';
import type { Subscription } from 'rxjs';
import { createProducts, createShop, type TestShop } from '../fixtures/shops';
import { ADDRESS } from '../fixtures/addresses';
import {
  AddToCartDocument,
  AdjustStockDocument,
  CatalogDocument,
  CheckoutDocument,
  LiveStockDocument,
  MyOrdersDocument,
  OrderUpdatesDocument,
  ProductBySlugDocument,
  ShopBySlugDocument,
  SignUpDocument,
  type CatalogQuery,
} from '../generated/graphql';
import { uniqueEmail, TEST_PASSWORD } from '../utils/accounts';
import { startCluster, type Cluster } from '../utils/cluster';
import { dataOf, sendAs } from '../utils/operations';
import type { TestServer } from '../utils/test-server';
import { waitFor } from '../utils/wait';
import { createStorefront, type Storefront } from './storefront-client';

/** The storefront's server's clock: the real time plus what the test moves it by. */
const storefrontClock = { offsetMs: 0, now: () => new Date(Date.now() + storefrontClock.offsetMs) };

const PRODUCT_FIELDS = gql`
  fragment CachedStock on Product {
    available
    stockVersion
  }
`;

/**
 * The storefront's whole journey, with Apollo Client 4 and graphql-ws as a frontend writes them
 * (`storefront-client.ts`), against the real server: instance A serves the storefront (and pays orders with the
 * DEVELOPMENT provider), instance B the artisan's dashboard, over one PostgreSQL and one Redis.
 */
describe('the storefront, end to end, with Apollo Client and graphql-ws', () => {
  let cluster: Cluster;
  let storefrontServer: TestServer;
  let artisanServer: TestServer;
  let shop: TestShop;
  let storefront: Storefront;
  const subscriptions: Subscription[] = [];

  let shopSlug: string;
  let chosen: CatalogQuery['products']['edges'][number]['node'];
  let orderId: string;

  beforeAll(async () => {
    // Only the storefront's instance runs the worker, which pays its orders at once by its clock.
    cluster = await startCluster({ redis: true, instances: [{ env: { DEVELOPMENT_PAYMENT_DELAY_MS: '0' }, clock: storefrontClock }, {}] });
    [storefrontServer, artisanServer] = cluster.instances;
    shop = await createShop(storefrontServer);
    await createProducts(storefrontServer, shop, [
      { priceAmount: 1_200, stock: 5 },
      { priceAmount: 2_400, stock: 8 },
      { priceAmount: 3_600, stock: 3 },
      { priceAmount: 4_800, stock: 12 },
      { priceAmount: 6_000, stock: 1 },
    ]);
    storefront = createStorefront(storefrontServer);
  }, 120_000);

  afterAll(async () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
    await storefront?.dispose();
    await cluster?.close();
  });

  it('should browse the catalogue page by page with fetchMore, merged by relayStylePagination into one list', async () => {
    const filter = { shopId: shop.id };
    const catalog = storefront.client.watchQuery({ query: CatalogDocument, variables: { first: 2, filter } });
    subscriptions.push(catalog.subscribe(() => undefined));
    const first = await catalog.refetch();
    expect(first.data?.products.edges).toHaveLength(2);
    expect(first.data?.products.totalCount).toBe(5);

    // What the page renders: the cached list under its key arguments (`filter`), every page fetched so far.
    const rendered = () => storefront.client.readQuery({ query: CatalogDocument, variables: { first: 2, filter } })!.products;
    while (rendered().pageInfo.hasNextPage) {
      await catalog.fetchMore({ variables: { after: rendered().pageInfo.endCursor } });
    }
    const merged = rendered();
    expect(merged.edges).toHaveLength(5);
    expect(new Set(merged.edges.map((edge) => edge.node.id)).size).toBe(5);
    expect(merged.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false, startCursor: merged.edges[0]!.cursor });
    chosen = merged.edges.find((edge) => edge.node.price.amount === 2_400)!.node;
    shopSlug = chosen.shop.slug;

    // Automatic persisted queries: the first hash, unknown, by GET; then the text once by POST; then hashes alone by
    // GET, whose anonymous catalogue answers a CDN may keep (10 s: they show stock).
    expect(storefront.network.map((entry) => [entry.method, entry.cacheControl])).toEqual([
      ['GET', 'private, no-store'],
      ['POST', 'public, max-age=10'],
      ['GET', 'public, max-age=10'],
      ['GET', 'public, max-age=10'],
    ]);
    expect(storefront.network.every((entry) => entry.status === 200)).toBe(true);
  });

  it("should open the shop's own page by its slug, its products the same cached objects as the catalogue's", async () => {
    const { data } = await storefront.client.query({ query: ShopBySlugDocument, variables: { slug: shopSlug, productsFirst: 10 } });
    expect(data?.shop).toMatchObject({ id: shop.id, slug: shopSlug, currency: 'EUR', owner: { id: shop.owner.id } });
    expect(data?.shop?.products.totalCount).toBe(5);
    const cache = storefront.client.cache;
    const onShopPage = data!.shop!.products.edges.find((edge) => edge.node.id === chosen.id)!.node;
    expect(cache.identify(onShopPage as never)).toBe(cache.identify({ __typename: 'Product', id: chosen.id }));
    expect(storefront.client.readFragment({ id: cache.identify({ __typename: 'Product', id: chosen.id }), fragment: PRODUCT_FIELDS })).toEqual({
      __typename: 'Product',
      available: 8,
      stockVersion: 0,
    });
  });

  it('should sign up, fill the cart and check out at the total it showed, then watch OrderUpdates reach PAID', async () => {
    const signedUp = await storefront.client.mutate({
      mutation: SignUpDocument,
      variables: { input: { email: uniqueEmail('e2e'), password: TEST_PASSWORD, displayName: 'End To End' } },
    });
    const auth = signedUp.data!.signUp;
    expect(auth.user.role).toBe('BUYER');
    storefront.session.accessToken = auth.accessToken;
    storefront.session.refreshToken = auth.refreshToken ?? null;

    const cart = (await storefront.client.mutate({ mutation: AddToCartDocument, variables: { productId: chosen.id, quantity: 2 } })).data!.addToCart;
    expect(cart.subtotal).toEqual({ __typename: 'Money', amount: 4_800, currency: 'EUR' });

    const { amount, currency } = cart.subtotal!;
    const checkout = await storefront.client.mutate({
      mutation: CheckoutDocument,
      variables: { input: { idempotencyKey: 'e2e-checkout-1', shippingAddress: ADDRESS, expectedTotal: { amount, currency } } },
    });
    const order = checkout.data!.checkout;
    expect(order).toMatchObject({ status: 'PENDING_PAYMENT', total: { amount: 4_800, currency: 'EUR' }, payment: { provider: 'DEVELOPMENT' } });
    orderId = order.id;

    // The current state first, then each change: nothing between checkout and subscribing is missed.
    const statuses: string[] = [];
    subscriptions.push(
      storefront.client.subscribe({ query: OrderUpdatesDocument, variables: { orderId } }).subscribe(({ data }) => {
        if (data) statuses.push(data.orderUpdated.status);
      }),
    );
    await waitFor(() => statuses.includes('PAID'), 15_000, 'OrderUpdates to reach PAID');
    // The event updated the cached order too: the checkout's Order object now reads PAID.
    const cached = storefront.client.readFragment({
      id: storefront.client.cache.identify({ __typename: 'Order', id: orderId }),
      fragment: gql`
        fragment CachedOrder on Order {
          status
          payment { status }
        }
      `,
    }) as { status: string; payment: { status: string } } | null;
    expect(cached).toMatchObject({ status: 'PAID', payment: { status: 'SUCCEEDED' } });
  });

  it("should update the cached Product.available from live stock after the artisan's AdjustStock on another instance, without a refetch", async () => {
    const cache = storefront.client.cache;
    const productRef = cache.identify({ __typename: 'Product', id: chosen.id })!;
    const read = () => storefront.client.readFragment({ id: productRef, fragment: PRODUCT_FIELDS }) as { available: number; stockVersion: number } | null;
    // The product page, loaded after the checkout sold two.
    await storefront.client.query({ query: ProductBySlugDocument, variables: { slug: chosen.slug }, fetchPolicy: 'network-only' });
    expect(read()).toEqual({ __typename: 'Product', available: 6, stockVersion: 1 });

    const [probe] = await createProducts(storefrontServer, shop, [{ stock: 0 }]);
    const seen: string[] = [];
    subscriptions.push(
      storefront.client.subscribe({ query: LiveStockDocument, variables: { productIds: [probe!, chosen.id] } }).subscribe(({ data }) => {
        if (data) seen.push(data.stockChanged.productId);
      }),
    );
    // graphql-ws does not say when a subscription is live: the artisan restocks a probe (every 100 ms) until its event arrives.
    await waitFor(
      async () => {
        if (seen.includes(probe!)) return true;
        dataOf(await sendAs(artisanServer.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: probe!, delta: 1, reason: 'probe' }));
        return false;
      },
      10_000,
      'the LiveStock subscription to be live',
      100,
    );

    const requestsBefore = storefront.network.length;
    dataOf(await sendAs(artisanServer.graphqlUrl, shop.owner.token, AdjustStockDocument, { productId: chosen.id, delta: 10, reason: 'kiln batch' }));
    await waitFor(() => read()?.available === 16, 5_000, 'the cached Product.available to change');
    expect(read()).toEqual({ __typename: 'Product', available: 16, stockVersion: 2 });
    // The product page reads it from the cache alone, and nothing was fetched over HTTP.
    const page = await storefront.client.query({ query: ProductBySlugDocument, variables: { slug: chosen.slug }, fetchPolicy: 'cache-only' });
    expect(page.data?.product).toMatchObject({ id: chosen.id, available: 16, stockVersion: 2 });
    expect(storefront.network.length).toBe(requestsBefore);
  });

  it('should refresh an expired access token through the error link and retry, unseen by the page that asked', async () => {
    const tokenBefore = storefront.session.accessToken;
    // The buyer comes back after the access token's lifetime (15 minutes) is over.
    storefrontClock.offsetMs += (storefrontServer.config.auth.accessTokenTtlSeconds + 60) * 1_000;
    const orders = await storefront.client.query({ query: MyOrdersDocument, variables: { first: 10, status: 'PAID' }, fetchPolicy: 'network-only' });
    expect(orders.error).toBeUndefined();
    expect(orders.data?.myOrders.edges.map((edge) => edge.node.id)).toEqual([orderId]);
    expect(storefront.refreshes).toBe(1);
    expect(storefront.session.accessToken).not.toBe(tokenBefore);
  });
});
