import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print, type DefinitionNode } from 'graphql';
import { Client } from 'pg';
import { createAccessTokens } from '../../src/modules/accounts/access-token';
import { sealUserDisplayName } from '../../src/modules/accounts/sealed-display-name';
import { cartIdOf } from '../../src/modules/cart/cart.entity';
import { systemClock } from '../../src/shared/clock';
import { newId } from '../../src/shared/ids';
import { installServerCipher } from '../lib/personal-data-cost';

/** Where a commerce benchmark runs: a started server, its database, and the secret its tokens are signed with. */
export interface CommerceBenchTarget {
  graphqlUrl: string;
  databaseUrl: string;
  jwtSecret: string;
}

/** The repository: two levels up from `bench/scenarios`, three from `dist-bench/bench/scenarios`. */
const repoRoot = __filename.endsWith('.ts') ? join(__dirname, '..', '..') : join(__dirname, '..', '..', '..');

/** The text of a contract operation, as the clients send it. */
export function contractOperation(file: 'storefront' | 'artisan', name: string): string {
  const document = parse(readFileSync(join(repoRoot, 'tests', 'contract', `${file}.graphql`), 'utf8'));
  const operation = document.definitions.find(
    (definition: DefinitionNode) => definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === name,
  );
  if (!operation) throw new Error(`no operation ${name} in ${file}.graphql`);
  return print(operation);
}

/** The display name `bench` of each user, sealed with the benchmark servers' key ring as sign-up seals it. */
async function sealedBenchNames(userIds: string[]): Promise<string[]> {
  await installServerCipher();
  return userIds.map((id) => sealUserDisplayName(id, 'bench'));
}

/** Buyers (with sessions and tokens), an artisan's shop and one product with `units` in stock, written in SQL. */
export async function seedRace(target: CommerceBenchTarget, options: { buyers: number; units: number; priceAmount?: number }) {
  const db = new Client({ connectionString: target.databaseUrl });
  await db.connect();
  const tokens = createAccessTokens({ secret: target.jwtSecret, ttlSeconds: 3_600, clock: systemClock });
  try {
    const now = new Date();
    const users = Array.from({ length: options.buyers + 1 }, () => ({ id: newId(), sessionId: newId() }));
    await db.query(
      `insert into app_user (id, email, display_name, password_hash, role, status, created_at, updated_at)
       select u.id, 'bench-' || u.id::text || '@bench.atelier', u.name, '!', 'BUYER', 'ACTIVE', $2, $2 from unnest($1::uuid[], $3::text[]) as u(id, name)`,
      [users.map((u) => u.id), now, await sealedBenchNames(users.map((u) => u.id))],
    );
    await db.query(`insert into auth_session (id, user_id, created_at) select * , $3::timestamptz from unnest($1::uuid[], $2::uuid[])`, [
      users.map((u) => u.sessionId), users.map((u) => u.id), now,
    ]);
    const [artisan, ...buyers] = users;
    await db.query(`update app_user set role = 'ARTISAN' where id = $1`, [artisan!.id]);
    const shopId = newId();
    const categoryId = newId();
    const productId = newId();
    await db.query(`insert into shop (id, name, slug, country, currency, owner_id, created_at) values ($1::uuid, 'Bench', 'bench-' || $1::uuid::text, 'FR', 'EUR', $2, $3)`, [shopId, artisan!.id, now]);
    await db.query(`insert into category (id, name, slug) values ($1::uuid, 'Bench', 'bench-' || $1::uuid::text)`, [categoryId]);
    await db.query(
      `insert into product (id, shop_id, category_id, title, slug, price_amount, currency, available, initial_stock, stock_version, created_at, updated_at)
       values ($1::uuid, $2, $3, 'Bench item', 'bench-' || $1::uuid::text, $4, 'EUR', $5::int, $5::int, 0, $6, $6)`,
      [productId, shopId, categoryId, options.priceAmount ?? 1_000, options.units, now],
    );
    const sign = (user: { id: string; sessionId: string }) => tokens.sign({ userId: user.id, sessionId: user.sessionId }).then((t) => t.token);
    return {
      shopId,
      productId,
      artisanToken: await sign(artisan!),
      buyerTokens: await Promise.all(buyers.map(sign)),
      /** The product's stock and its order count now, to check that nothing was oversold. */
      async outcome() {
        const product = await db.query<{ available: number }>('select available from product where id = $1', [productId]);
        const orders = await db.query<{ n: string }>('select count(*) as n from order_line where product_id = $1', [productId]);
        return { available: product.rows[0]!.available, orders: Number(orders.rows[0]!.n) };
      },
      close: () => db.end(),
    };
  } catch (error) {
    await db.end();
    throw error;
  }
}

/** POSTs one GraphQL operation; resolves with its JSON body. */
export async function post(graphqlUrl: string, token: string, query: string, variables: Record<string, unknown>): Promise<{ data?: any; errors?: { extensions?: { code?: string } }[] }> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as never;
}

/** The q-th quantile (0..1) of `values`, in their unit. */
export function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Buyers whose carts already hold one unit each, spread over products of one shop, for a sustained checkout load. */
export interface CheckoutLoadSeed {
  productIds: string[];
  /** Access tokens of the buyers whose cart holds one unit of `productIds[i]`, by product. */
  buyersByProduct: string[][];
  /** Orders, units sold and the ledger of the products, from the database, to check that nothing was oversold. */
  ledger(): Promise<ProductLedger[]>;
  close(): Promise<void>;
}

/** One product's stock as the database has it now. */
export interface ProductLedger {
  productId: string;
  initialStock: number;
  available: number;
  /** Units in order lines of the product. */
  orderedUnits: number;
  /** `sum(stock_movement.delta)` of the product. */
  ledgerDelta: number;
}

/**
 * `products` products with `unitsPerProduct` each and `buyersPerProduct` buyers per product, each with a cart of
 * one unit already (written in SQL, like everything here): the load then measures Checkout alone, not AddToCart.
 */
export async function seedCheckoutLoad(
  target: CommerceBenchTarget,
  options: { products: number; buyersPerProduct: number; unitsPerProduct: number },
): Promise<CheckoutLoadSeed> {
  const db = new Client({ connectionString: target.databaseUrl });
  await db.connect();
  const tokens = createAccessTokens({ secret: target.jwtSecret, ttlSeconds: 3_600, clock: systemClock });
  try {
    const now = new Date();
    const artisan = { id: newId(), sessionId: newId() };
    const buyers = Array.from({ length: options.products * options.buyersPerProduct }, () => ({ id: newId(), sessionId: newId() }));
    const users = [artisan, ...buyers];
    await db.query(
      `insert into app_user (id, email, display_name, password_hash, role, status, created_at, updated_at)
       select u.id, 'bench-' || u.id::text || '@bench.atelier', u.name, '!', 'BUYER', 'ACTIVE', $2, $2 from unnest($1::uuid[], $3::text[]) as u(id, name)`,
      [users.map((u) => u.id), now, await sealedBenchNames(users.map((u) => u.id))],
    );
    await db.query(`insert into auth_session (id, user_id, created_at) select *, $3::timestamptz from unnest($1::uuid[], $2::uuid[])`, [
      users.map((u) => u.sessionId), users.map((u) => u.id), now,
    ]);
    await db.query(`update app_user set role = 'ARTISAN' where id = $1`, [artisan.id]);
    const shopId = newId();
    const categoryId = newId();
    const productIds = Array.from({ length: options.products }, () => newId());
    await db.query(`insert into shop (id, name, slug, country, currency, owner_id, created_at) values ($1::uuid, 'Bench', 'bench-' || $1::uuid::text, 'FR', 'EUR', $2, $3)`, [shopId, artisan.id, now]);
    await db.query(`insert into category (id, name, slug) values ($1::uuid, 'Bench', 'bench-' || $1::uuid::text)`, [categoryId]);
    await db.query(
      `insert into product (id, shop_id, category_id, title, slug, price_amount, currency, available, initial_stock, stock_version, created_at, updated_at)
       select p.id, $2, $3, 'Bench item', 'bench-' || p.id::text, 1000, 'EUR', $4::int, $4::int, 0, $5, $5 from unnest($1::uuid[]) as p(id)`,
      [productIds, shopId, categoryId, options.unitsPerProduct, now],
    );
    const productOf = (i: number) => productIds[Math.floor(i / options.buyersPerProduct)]!;
    const cartIds = buyers.map((buyer) => cartIdOf(buyer.id));
    await db.query(`insert into cart (id, buyer_id, created_at, updated_at) select *, $3::timestamptz, $3::timestamptz from unnest($1::uuid[], $2::uuid[])`, [
      cartIds, buyers.map((b) => b.id), now,
    ]);
    await db.query(
      `insert into cart_line (id, cart_id, product_id, quantity, created_at) select gen_random_uuid(), c, p, 1, $3 from unnest($1::uuid[], $2::uuid[]) as l(c, p)`,
      [cartIds, buyers.map((_, i) => productOf(i)), now],
    );
    const signed = await Promise.all(buyers.map((b) => tokens.sign({ userId: b.id, sessionId: b.sessionId }).then((t) => t.token)));
    return {
      productIds,
      buyersByProduct: productIds.map((_, p) => signed.slice(p * options.buyersPerProduct, (p + 1) * options.buyersPerProduct)),
      async ledger() {
        const { rows } = await db.query<{ id: string; initial_stock: number; available: number; ordered: string; ledger: string }>(
          `select p.id, p.initial_stock, p.available,
                  (select coalesce(sum(quantity), 0) from order_line where product_id = p.id) as ordered,
                  (select coalesce(sum(delta), 0) from stock_movement where product_id = p.id) as ledger
             from product p where p.id = any($1::uuid[])`,
          [productIds],
        );
        return rows.map((r) => ({ productId: r.id, initialStock: r.initial_stock, available: r.available, orderedUnits: Number(r.ordered), ledgerDelta: Number(r.ledger) }));
      },
      close: () => db.end(),
    };
  } catch (error) {
    await db.end();
    throw error;
  }
}
