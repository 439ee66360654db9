import { Client } from 'pg';
import { createAccessTokens } from '../../src/modules/accounts/access-token';
import { systemClock } from '../../src/shared/clock';
import { newId } from '../../src/shared/ids';
import { contractOperation } from '../lib/contract';
import type { Scenario } from '../lib/scenario';

/** Orders in the benchmarked shop. */
export const SHOP_ORDERS = 10_000;

/**
 * The artisan's order list: `ShopOrders(first: 50)` for a shop with {@link SHOP_ORDERS} orders (one in three also
 * holds another shop's product, which the shop must not see), as the dashboard asks for its first page. The
 * statements of one request must not grow with the page: `first: 5` and `first: 50` take as many.
 */
export const shopOrdersScenario: Scenario = {
  name: 'shop-orders',
  description: `ShopOrders(first: 50) for an artisan whose shop has ${SHOP_ORDERS.toLocaleString('en')} orders`,
  async run(harness) {
    const server = await harness.commerceServer();
    const token = await seedShopOrders(server.databaseUrl, server.jwtSecret, SHOP_ORDERS);
    const query = contractOperation('artisan', 'ShopOrders');
    const headers = { authorization: `Bearer ${token}` };
    const small = await harness.measure({ label: 'ShopOrders(first: 5)', query, variables: { first: 5 }, headers });
    const large = await harness.measure({ label: `ShopOrders(first: 50), ${SHOP_ORDERS.toLocaleString('en')} orders`, query, variables: { first: 50 }, headers });
    harness.target({
      name: 'ShopOrders: statements of one request, first: 50 against first: 5',
      measured: `${large.statementsOneRequest} and ${small.statementsOneRequest}`,
      goal: 'the same: the page, its lines, products, buyers and shipments, one statement each',
      met: large.statementsOneRequest === small.statementsOneRequest,
    });
  },
};

/**
 * An artisan with a shop of two products, and `count` paid orders of 40 buyers holding them, written in SQL;
 * every third order also holds a product of another shop. Returns the artisan's access token.
 */
async function seedShopOrders(databaseUrl: string, jwtSecret: string, count: number): Promise<string> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const now = new Date();
    const artisan = { id: newId(), sessionId: newId() };
    const otherArtisan = newId();
    const buyers = Array.from({ length: 40 }, () => newId());
    await db.query(
      `insert into app_user (id, email, display_name, password_hash, role, status, created_at, updated_at)
       select u.id, 'shop-orders-' || u.id::text || '@bench.atelier', 'Bench ' || left(u.id::text, 8), '!', u.role::role, 'ACTIVE', $3, $3
         from unnest($1::uuid[], $2::text[]) as u(id, role)`,
      [[artisan.id, otherArtisan, ...buyers], ['ARTISAN', 'ARTISAN', ...buyers.map(() => 'BUYER')], now],
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
    // Oldest first, so that ids (UUIDv7) grow with the order number as checkout would make them.
    const orderIds = Array.from({ length: count }, () => newId());
    await db.query(
      `insert into customer_order (id, number, buyer_id, status, currency, total_amount, shipping_name, shipping_line1, shipping_city,
                                   shipping_postal_code, shipping_country, idempotency_key, request_fingerprint, reserved_until, created_at, updated_at)
       select o.id, 'SB-' || lpad(o.n::text, 7, '0'), ($2::uuid[])[1 + o.n % 40], 'PAID', 'EUR', case when o.n % 3 = 0 then 6000 else 3000 end,
              'Ana Lima', '12 rue des Potiers', 'Lyon', '69001', 'FR', 'bench-' || o.n, 'bench', $3, $3, $3
         from unnest($1::uuid[]) with ordinality as o(id, n)`,
      [orderIds, buyers, now],
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
      `insert into payment (id, order_id, provider, status, amount, currency, created_at, updated_at)
       select gen_random_uuid(), o.id, 'STRIPE', 'SUCCEEDED', o.total_amount, 'EUR', $2, $2 from customer_order o where o.id = any($1::uuid[])`,
      [orderIds, now],
    );
    await db.query('analyze customer_order; analyze order_line');
    const tokens = createAccessTokens({ secret: jwtSecret, ttlSeconds: 3_600, clock: systemClock });
    return (await tokens.sign({ userId: artisan.id, sessionId: artisan.sessionId })).token;
  } finally {
    await db.end();
  }
}
