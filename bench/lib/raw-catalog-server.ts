/**
 * The bench's yardstick for executed reads: what a hand-written server on node:http and pg answers for the
 * storefront's `Catalog(first: 20)` and `Shops(first: 10, productsFirst: 10)`, with the same JSON shape, one
 * statement each (an exact count included) and the same pool size as the API. No GraphQL, no ORM, no
 * authentication: the share of its throughput that the API keeps is what our whole stack costs.
 *
 * Run by the bench as a child process of its own (like the API), from its build:
 * `node dist-bench/bench/lib/raw-catalog-server.js` with PORT and DATABASE_URL; any GET answers 200 once it listens.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { Pool } from 'pg';

/** The API's default DATABASE_POOL_SIZE: both servers get the same connections. */
const POOL_SIZE = 10;

interface CatalogRow {
  id: string;
  title: string;
  slug: string;
  price_amount: number;
  currency: string;
  available: number;
  shop_id: string;
  shop_name: string;
  shop_slug: string;
  shop_country: string;
  category_id: string;
  category_name: string;
  category_slug: string;
  total: number;
}

// The newest `$1 + 1` products on sale with their shop and category, and the exact count of all on sale.
const CATALOG_SQL = `
  select p.id, p.title, p.slug, p.price_amount, p.currency, p.available,
         s.id as shop_id, s.name as shop_name, s.slug as shop_slug, s.country as shop_country,
         c.id as category_id, c.name as category_name, c.slug as category_slug,
         (select count(*)::int from product where not archived) as total
    from product p
    join shop s on s.id = p.shop_id
    join category c on c.id = p.category_id
   where not p.archived
   order by p.id desc
   limit $1`;

interface ShopsRow {
  shop_id: string;
  shop_name: string;
  shop_slug: string;
  shop_country: string;
  total: number;
  id: string | null;
  title: string | null;
  available: number | null;
  price_amount: number | null;
  currency: string | null;
  category_id: string | null;
  category_name: string | null;
}

// The newest `$1 + 1` shops, each with its newest `$2` products on sale, their category, and its exact count.
const SHOPS_SQL = `
  with shops as (select id, name, slug, country from shop order by id desc limit $1)
  select s.id as shop_id, s.name as shop_name, s.slug as shop_slug, s.country as shop_country,
         (select count(*)::int from product where shop_id = s.id and not archived) as total,
         p.id, p.title, p.available, p.price_amount, p.currency, c.id as category_id, c.name as category_name
    from shops s
    left join lateral (
      select * from product where shop_id = s.id and not archived order by id desc limit $2
    ) p on true
    left join category c on c.id = p.category_id
   order by s.id desc, p.id desc`;

const cursor = (id: string) => Buffer.from(`c1:${id}`, 'utf8').toString('base64url');

async function catalog(pool: Pool, first: number): Promise<unknown> {
  const { rows } = await pool.query<CatalogRow>(CATALOG_SQL, [first + 1]);
  const page = rows.slice(0, first);
  const edges = page.map((row) => ({
    cursor: cursor(row.id),
    node: {
      id: row.id,
      title: row.title,
      slug: row.slug,
      price: { amount: row.price_amount, currency: row.currency },
      available: row.available,
      shop: { id: row.shop_id, name: row.shop_name, slug: row.shop_slug, country: row.shop_country },
      category: { id: row.category_id, name: row.category_name, slug: row.category_slug },
    },
  }));
  return {
    products: {
      totalCount: rows[0]?.total ?? 0,
      pageInfo: { hasNextPage: rows.length > first, hasPreviousPage: false, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
      edges,
    },
  };
}

async function shops(pool: Pool, first: number, productsFirst: number): Promise<unknown> {
  const { rows } = await pool.query<ShopsRow>(SHOPS_SQL, [first + 1, productsFirst]);
  const byShop = new Map<string, { row: ShopsRow; products: ShopsRow[] }>();
  for (const row of rows) {
    const shop = byShop.get(row.shop_id) ?? { row, products: [] };
    byShop.set(row.shop_id, shop);
    if (row.id) shop.products.push(row);
  }
  const all = [...byShop.values()];
  const page = all.slice(0, first);
  return {
    shops: {
      pageInfo: { hasNextPage: all.length > first, endCursor: page.length ? cursor(page.at(-1)!.row.shop_id) : null },
      edges: page.map(({ row, products }) => ({
        node: {
          id: row.shop_id,
          name: row.shop_name,
          slug: row.shop_slug,
          country: row.shop_country,
          products: {
            totalCount: row.total,
            edges: products.map((product) => ({
              node: {
                id: product.id,
                title: product.title,
                available: product.available,
                price: { amount: product.price_amount, currency: product.currency },
                category: { id: product.category_id, name: product.category_name },
              },
            })),
          },
        },
      })),
    },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function main(): void {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: POOL_SIZE });
  const server = createServer(async (request, response) => {
    // The bench waits for `/readyz` like it does for the API.
    if (request.method === 'GET') {
      response.end('ok');
      return;
    }
    try {
      const body = JSON.parse(await readBody(request)) as { query: string; variables?: Record<string, number> };
      const variables = body.variables ?? {};
      const data = body.query.includes('shops(')
        ? await shops(pool, variables.first ?? 10, variables.productsFirst ?? 10)
        : await catalog(pool, variables.first ?? 20);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data }));
    } catch (error) {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ errors: [{ message: (error as Error).message }] }));
    }
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    void pool.end().then(() => process.exit(0));
  });
}

main();
