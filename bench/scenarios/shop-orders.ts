import { Client } from 'pg';
import { createAccessTokens } from '../../src/modules/accounts/access-token';
import { sealUserDisplayName } from '../../src/modules/accounts/sealed-display-name';
import { sealOrderAddress } from '../../src/modules/orders/sealed-address';
import { systemClock } from '../../src/shared/clock';
import { newId } from '../../src/shared/ids';
import type { CommerceServer } from '../lib/harness';
import { log } from '../lib/harness';
import { installServerCipher } from '../lib/personal-data-cost';
import type { Scenario } from '../lib/scenario';
import { contractOperation, post } from './commerce-fixtures';

/** Orders in the benchmarked shop. */
export const SHOP_ORDERS = 10_000;
/** Buyers the orders are spread over. */
const BUYERS = 40;
/** Page sizes whose statements of one request are compared: the count must not grow with the page. */
const PAGE_SIZES = [1, 5, 50] as const;

const ADDRESS = { name: 'Ana Lima', line1: '12 rue des Potiers', line2: null, city: 'Lyon', postalCode: '69001', country: 'FR', phone: '+33 4 00 00 00 00' };

/**
 * The artisan's order list: `ShopOrders(first: 50)` (the contract's operation) for a shop with {@link SHOP_ORDERS}
 * orders, as the dashboard asks for its first page, under load. One order in three also holds another shop's
 * product, which the shop must not see; one in four of the others was shipped. On a server and a database of
 * their own, with no workers in it (`RUN_WORKER=false`), so that the statements counted are the requests' alone.
 * The statements of one request must not grow with the page (first: 1, 5, 50, and a page deep in the list).
 */
export const shopOrdersScenario: Scenario = {
  name: 'shop-orders',
  description: `ShopOrders(first: 50) for an artisan whose shop has ${SHOP_ORDERS.toLocaleString('en')} orders; statements per request`,
  async run(harness) {
    const server = await harness.extraServer('atelier_shop_orders', { RUN_WORKER: 'false' });
    log(`seeding ${SHOP_ORDERS} orders of one shop in SQL`);
    const token = await seedShopOrders(server, SHOP_ORDERS);
    const query = contractOperation('artisan', 'ShopOrders');

    const statements = new Map<string, number>();
    for (const first of PAGE_SIZES) statements.set(`first: ${first}`, await statementsOfOneRequest(server, token, query, { first }));
    // A page in the middle of the list, reached page by page as a client would: keyset pagination reads it as the first.
    const cursor = await cursorAfter(server, token, query, SHOP_ORDERS / 2);
    statements.set(`first: 50 after the ${(SHOP_ORDERS / 2).toLocaleString('en')}th`, await statementsOfOneRequest(server, token, query, { first: 50, after: cursor }));

    const load = await harness.measure(
      { label: `ShopOrders(first: 50), ${SHOP_ORDERS.toLocaleString('en')} orders`, query, variables: { first: 50 }, headers: { authorization: `Bearer ${token}` } },
      server,
    );
    const counts = [...statements.values()];
    harness.target({
      name: 'ShopOrders: statements of one request, whatever the page size and position',
      measured: [...statements].map(([page, count]) => `${page}: ${count}`).join(', ') + `; under load ${load.statementsPerRequest.toFixed(2)} per request`,
      goal: 'the same for every page: the page, its lines, products, buyers and shipments, one statement each',
      met: counts.every((count) => count === counts[0]),
    });
  },
};

/** The end cursor after the first `orders` orders of the list, walked in pages of 50 (the page the dashboard asks for). */
async function cursorAfter(server: CommerceServer, token: string, query: string, orders: number): Promise<string> {
  let after: string | undefined;
  for (let seen = 0; seen < orders; seen += 50) {
    const body = await post(server.graphqlUrl, token, query, { first: Math.min(50, orders - seen), ...(after ? { after } : {}) });
    after = body.data?.me?.shop?.orders?.pageInfo?.endCursor as string | undefined;
    if (!after) throw new Error(`ShopOrders gave no cursor: ${JSON.stringify(body.errors ?? body.data).slice(0, 500)}`);
  }
  return after!;
}

/**
 * The statements PostgreSQL receives for one request on its own, the fewest of three tries (a connection opened
 * by the pool adds its own).
 */
async function statementsOfOneRequest(server: CommerceServer, token: string, query: string, variables: Record<string, unknown>): Promise<number> {
  let fewest = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 3; attempt++) {
    server.counter.reset();
    const body = await post(server.graphqlUrl, token, query, variables);
    if (body.errors?.length || !body.data?.me?.shop?.orders) throw new Error(`ShopOrders failed: ${JSON.stringify(body.errors ?? body.data).slice(0, 500)}`);
    fewest = Math.min(fewest, server.counter.count);
  }
  return fewest;
}

/**
 * An artisan with a shop of two products, and `count` orders of {@link BUYERS} buyers holding them, written in a
 * few bulk statements (not `count` checkouts); every third order also holds a product of another shop, every
 * fourth of the others is FULFILLED with its shipment, the rest PAID. Addresses are sealed with the server's key
 * ring, as checkout seals them. Returns the artisan's access token.
 */
async function seedShopOrders(server: CommerceServer, count: number): Promise<string> {
  await installServerCipher();
  const db = new Client({ connectionString: server.databaseUrl });
  await db.connect();
  try {
    const now = new Date();
    const artisan = { id: newId(), sessionId: newId() };
    const otherArtisan = newId();
    const buyers = Array.from({ length: BUYERS }, () => newId());
    const users = [artisan.id, otherArtisan, ...buyers];
    await db.query(
      `insert into app_user (id, email, display_name, password_hash, role, status, created_at, updated_at)
       select u.id, 'shop-orders-' || u.id::text || '@bench.atelier', u.name, '!', u.role::role, 'ACTIVE', $3, $3
         from unnest($1::uuid[], $2::text[], $4::text[]) as u(id, role, name)`,
      [users, ['ARTISAN', 'ARTISAN', ...buyers.map(() => 'BUYER')], now, users.map((id) => sealUserDisplayName(id, `Bench ${id.slice(0, 8)}`))],
    );
    await db.query('insert into auth_session (id, user_id, created_at) values ($1, $2, $3)', [artisan.sessionId, artisan.id, now]);
    const [shop, otherShop, category] = [newId(), newId(), newId()];
    await db.query(
      `insert into shop (id, name, slug, country, currency, owner_id, created_at)
       values ($1::uuid, 'Orders bench', 'orders-bench-' || $1::uuid::text, 'FR', 'EUR', $2, $5),
              ($3::uuid, 'Other bench', 'other-bench-' || $3::uuid::text, 'FR', 'EUR', $4, $5)`,
      [shop, artisan.id, otherShop, otherArtisan, now],
    );
    await db.query(`insert into category (id, name, slug) values ($1::uuid, 'Orders bench', 'orders-bench-' || $1::uuid::text)`, [category]);
    const products = [newId(), newId(), newId()];
    await db.query(
      `insert into product (id, shop_id, category_id, title, slug, price_amount, currency, available, initial_stock, stock_version, created_at, updated_at)
       select p.id, p.shop_id, $3, 'Bench item ' || p.n, 'orders-bench-' || p.id::text, 1000 * p.n, 'EUR', 1000000, 1000000, 0, $4, $4
         from unnest($1::uuid[], $2::uuid[]) with ordinality as p(id, shop_id, n)`,
      [products, [shop, shop, otherShop], category, now],
    );
    // Oldest first, so that ids (UUIDv7) grow with the order number as checkout makes them.
    const orderIds = Array.from({ length: count }, () => newId());
    const sealed = orderIds.map((id) => sealOrderAddress(id, ADDRESS));
    await db.query(
      `insert into customer_order (id, number, buyer_id, status, currency, total_amount, shipping_address, idempotency_key, request_fingerprint,
                                   reserved_until, created_at, updated_at)
       select o.id, 'SB-' || lpad(o.n::text, 7, '0'), ($3::uuid[])[1 + o.n % ${BUYERS}],
              (case when o.n % 3 <> 0 and o.n % 4 = 0 then 'FULFILLED' else 'PAID' end)::order_status,
              'EUR', case when o.n % 3 = 0 then 6000 else 3000 end, o.address, 'bench-' || o.n, 'bench', $4, $4, $4
         from unnest($1::uuid[], $2::text[]) with ordinality as o(id, address, n)`,
      [orderIds, sealed, buyers, now],
    );
    await db.query(
      `insert into order_line (id, order_id, product_id, shop_id, quantity, unit_price_amount, currency)
       select gen_random_uuid(), o.id, l.product_id, l.shop_id, 1, l.price, 'EUR'
         from unnest($1::uuid[]) with ordinality as o(id, n)
         cross join lateral (values ($2::uuid, $4::uuid, 1000), ($3::uuid, $4::uuid, 2000), ($5::uuid, $6::uuid, 3000)) as l(product_id, shop_id, price)
        where l.shop_id = $4::uuid or o.n % 3 = 0`,
      [orderIds, products[0], products[1], shop, products[2], otherShop],
    );
    await db.query(
      `insert into shipment (id, order_id, shop_id, carrier, tracking_number, shipped_at, shipped_by_id)
       select gen_random_uuid(), o.id, $2, 'La Poste', '6A' || lpad(o.n::text, 9, '0'), $4, $3
         from unnest($1::uuid[]) with ordinality as o(id, n) where o.n % 3 <> 0 and o.n % 4 = 0`,
      [orderIds, shop, artisan.id, now],
    );
    await db.query(
      `insert into payment (id, order_id, provider, status, amount, currency, created_at, updated_at)
       select gen_random_uuid(), o.id, 'STRIPE', 'SUCCEEDED', o.total_amount, 'EUR', $2, $2 from customer_order o where o.id = any($1::uuid[])`,
      [orderIds, now],
    );
    // What autovacuum would have done by the time the artisan looks: statistics, visibility map.
    await db.query('vacuum analyze customer_order, order_line, shipment, payment');
    const tokens = createAccessTokens({ secret: server.jwtSecret, ttlSeconds: 3_600, clock: systemClock });
    return (await tokens.sign({ userId: artisan.id, sessionId: artisan.sessionId })).token;
  } finally {
    await db.end();
  }
}
