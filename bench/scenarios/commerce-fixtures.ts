import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print, type DefinitionNode } from 'graphql';
import { Client } from 'pg';
import { createAccessTokens } from '../../src/modules/accounts/access-token';
import { systemClock } from '../../src/shared/clock';
import { newId } from '../../src/shared/ids';

/** Where a commerce benchmark runs: a started server, its database, and the secret its tokens are signed with. */
export interface CommerceBenchTarget {
  graphqlUrl: string;
  databaseUrl: string;
  jwtSecret: string;
}

/** The repository: two levels up from `bench/scenarios`, three from `dist/bench/scenarios`. */
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
       select u.id, 'bench-' || u.id::text || '@bench.atelier', 'bench', '!', 'BUYER', 'ACTIVE', $2, $2 from unnest($1::uuid[]) as u(id)`,
      [users.map((u) => u.id), now],
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
