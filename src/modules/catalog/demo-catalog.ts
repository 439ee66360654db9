import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceScope } from '../service-scope';
import { v7 as uuidv7 } from 'uuid';
import { integerBetween, pick, seededRandom } from '../../shared/random';
import { slugify } from '../../shared/slugify';
import { runSql } from '../../shared/sql';
import { sealUserDisplayName } from '../accounts';

/**
 * The demo catalogue: artisans, their shops in many countries and currencies, categories and products.
 * Deterministic: the same number of products gives the same rows, ids included. Loaded in bulk
 * (`INSERT … SELECT FROM unnest(…)`, a few thousand rows per statement) in one transaction.
 */
export interface DemoCatalogOptions {
  products: number;
  /** Seed of the generator. Default 1. */
  seed?: number;
}

export interface DemoCatalogSummary {
  shops: number;
  categories: number;
  products: number;
}

/** Categories, each with the things its products are, so that a "mug" is never filed under "Toys". */
const CATEGORIES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Ceramics', ['mug', 'bowl', 'vase', 'teapot', 'planter', 'plate']],
  ['Textiles', ['scarf', 'blanket', 'tote', 'cushion cover', 'table runner']],
  ['Jewellery', ['ring', 'pendant', 'earrings', 'bracelet', 'brooch']],
  ['Woodwork', ['spoon', 'cutting board', 'bowl', 'stool', 'picture frame']],
  ['Leather goods', ['wallet', 'belt', 'card holder', 'satchel', 'key fob']],
  ['Glassware', ['tumbler', 'carafe', 'vase', 'ornament', 'wine glass']],
  ['Paper goods', ['notebook', 'card set', 'journal', 'wrapping paper']],
  ['Candles', ['pillar candle', 'tea lights', 'jar candle', 'taper pair']],
  ['Soaps and cosmetics', ['soap bar', 'lip balm', 'bath salts', 'body oil']],
  ['Metalwork', ['candle holder', 'hook set', 'bottle opener', 'trivet']],
  ['Toys', ['wooden train', 'rag doll', 'puzzle', 'spinning top']],
  ['Art prints', ['print', 'poster', 'linocut', 'postcard set']],
];

/** Where the shops are, with the currency they sell in; JPY, KRW and VND have no minor unit. */
const MARKETS = [
  ['FR', 'EUR'], ['DE', 'EUR'], ['IT', 'EUR'], ['ES', 'EUR'], ['PT', 'EUR'], ['NL', 'EUR'], ['GB', 'GBP'],
  ['US', 'USD'], ['CA', 'CAD'], ['MX', 'MXN'], ['BR', 'BRL'], ['JP', 'JPY'], ['KR', 'KRW'], ['VN', 'VND'],
  ['IN', 'INR'], ['AU', 'AUD'], ['NZ', 'NZD'], ['SE', 'SEK'], ['NO', 'NOK'], ['DK', 'DKK'], ['CH', 'CHF'],
  ['PL', 'PLN'], ['MA', 'MAD'], ['ZA', 'ZAR'], ['TH', 'THB'],
] as const;

/** Typical price range per currency, in minor units. */
const PRICE_RANGE: Record<string, [number, number]> = {
  JPY: [800, 40_000], KRW: [8_000, 400_000], VND: [100_000, 5_000_000], INR: [30_000, 2_000_000],
  MXN: [10_000, 800_000], THB: [20_000, 1_500_000], MAD: [5_000, 400_000], ZAR: [10_000, 700_000],
  SEK: [5_000, 400_000], NOK: [5_000, 400_000], DKK: [5_000, 300_000], PLN: [2_000, 150_000], BRL: [2_000, 200_000],
};
const DEFAULT_PRICE_RANGE: [number, number] = [500, 40_000];

const ADJECTIVES = ['Rustic', 'Handmade', 'Indigo', 'Speckled', 'Small-batch', 'Carved', 'Hammered', 'Glazed', 'Sage', 'Walnut', 'Amber', 'Terracotta', 'Midnight', 'Coastal', 'Botanical', 'Minimal'] as const;
const FIRST_NAMES = ['Ana', 'Kenji', 'Amara', 'Lucas', 'Sofia', 'Mateo', 'Yuna', 'Priya', 'Olu', 'Freya', 'Ines', 'Tomas', 'Leila', 'Noah', 'Mina', 'Rafael'] as const;
const CRAFTS = ['Clay', 'Loom', 'Forge', 'Grain', 'Thread', 'Kiln', 'Ember', 'Moss', 'Stone', 'Willow'] as const;

/** Rows per INSERT: large enough to be fast, small enough to keep each statement's parameters modest. */
const BATCH = 5_000;
/** Ids are UUIDv7 on a fixed clock, so that they are the same on every run and still sort by "creation". */
const EPOCH_MS = Date.UTC(2026, 0, 1);

/**
 * Seeding the demo catalogue, by the system: `npm run seed`, the embedded default's first start (`npm start`), the
 * benchmarks and the tests call it with a system scope.
 */
export const demoCatalogService = {
  /** Loads the demo catalogue of `options.products` products, in one transaction of `scope.em`. */
  load(scope: ServiceScope, options: DemoCatalogOptions): Promise<DemoCatalogSummary> {
    return loadDemoCatalog(scope.em, options);
  },

  /** Whether the catalogue has no product yet: the embedded default seeds only then. */
  async isEmpty(scope: ServiceScope): Promise<boolean> {
    const rows = await runSql(scope.em, 'select 1 from product limit 1');
    return rows.length === 0;
  },
};

async function loadDemoCatalog(em: EntityManager, options: DemoCatalogOptions): Promise<DemoCatalogSummary> {
  const random = seededRandom(options.seed ?? 1);
  const id = (ms: number) => uuidv7({ msecs: EPOCH_MS + ms, seq: 0, random: Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256)) });
  const shopCount = Math.max(3, Math.min(2_000, Math.round(options.products / 50)));
  const created = new Date(EPOCH_MS).toISOString();

  const categories = CATEGORIES.map(([name, things], i) => ({ id: id(i), name, slug: slugify(name), things }));
  const shops = Array.from({ length: shopCount }, (_, i) => {
    const [country, currency] = MARKETS[i % MARKETS.length]!;
    const owner = pick(random, FIRST_NAMES);
    const name = `${owner}'s ${pick(random, CRAFTS)} Studio ${i + 1}`;
    return {
      id: id(1_000 + i),
      ownerId: id(10_000 + i),
      ownerEmail: `artisan${i + 1}@demo.atelier.test`,
      ownerName: `${owner} (demo artisan ${i + 1})`,
      name,
      slug: slugify(name),
      description: `Small-batch goods made by hand in ${country}.`,
      country,
      currency,
    };
  });

  await em.transactional(async (tx) => {
    const run = (sql: string, params: unknown[]) => runSql(tx, sql, params);
    await run(`insert into category (id, name, slug) select * from unnest(?::uuid[], ?::text[], ?::text[])`, [
      categories.map((c) => c.id), categories.map((c) => c.name), categories.map((c) => c.slug),
    ]);
    for (const part of chunks(shops, BATCH)) {
      // Demo artisans cannot log in: '!' is no argon2 hash.
      await run(
        `insert into app_user (id, email, display_name, password_hash, role, status, created_at, updated_at)
         select u.id, u.email, u.name, '!', 'ARTISAN', 'ACTIVE', ?::timestamptz, ?::timestamptz
           from unnest(?::uuid[], ?::text[], ?::text[]) as u(id, email, name)`,
        [created, created, part.map((s) => s.ownerId), part.map((s) => s.ownerEmail), part.map((s) => sealUserDisplayName(s.ownerId, s.ownerName))],
      );
      await run(
        `insert into shop (id, name, slug, description, country, currency, owner_id, created_at)
         select s.*, ?::timestamptz from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::uuid[]) as s`,
        [created, part.map((s) => s.id), part.map((s) => s.name), part.map((s) => s.slug), part.map((s) => s.description),
          part.map((s) => s.country), part.map((s) => s.currency), part.map((s) => s.ownerId)],
      );
    }
    for (let start = 0; start < options.products; start += BATCH) {
      const count = Math.min(BATCH, options.products - start);
      const rows = Array.from({ length: count }, (_, k) => {
        const n = start + k;
        const shop = shops[n % shopCount]!;
        const [min, max] = PRICE_RANGE[shop.currency] ?? DEFAULT_PRICE_RANGE;
        const category = pick(random, categories);
        const title = `${pick(random, ADJECTIVES)} ${pick(random, category.things)}`;
        return {
          id: id(100_000 + n),
          shopId: shop.id,
          categoryId: category.id,
          title,
          slug: `${slugify(title)}-${n + 1}`,
          description: `${title}, made by ${shop.name}. One of a kind; small variations are part of its charm.`,
          price: roundPrice(integerBetween(random, min, max)),
          currency: shop.currency,
          available: random() < 0.1 ? 0 : integerBetween(random, 1, 60),
        };
      });
      await run(
        `insert into product (id, shop_id, category_id, title, slug, description, price_amount, currency, available, initial_stock, stock_version, created_at, updated_at)
         select p.*, 0, ?::timestamptz, ?::timestamptz
           from unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::int[], ?::int[]) as p`,
        [created, created, rows.map((r) => r.id), rows.map((r) => r.shopId), rows.map((r) => r.categoryId), rows.map((r) => r.title),
          rows.map((r) => r.slug), rows.map((r) => r.description), rows.map((r) => r.price), rows.map((r) => r.currency), rows.map((r) => r.available),
          rows.map((r) => r.available)],
      );
    }
  });
  return { shops: shopCount, categories: categories.length, products: options.products };
}

function roundPrice(amount: number): number {
  // Prices end in 0 like real ones; still integers in the minor unit.
  return Math.max(10, Math.round(amount / 10) * 10);
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
