import DataLoader from 'dataloader';
import { runSql } from '../../shared/sql';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  categoryColumns,
  categoryOfRow,
  productColumns,
  productOfRow,
  shopColumns,
  shopOfRow,
  type CategoryRecord,
  type CategoryRow,
  type ProductRecord,
  type ProductRow,
  type ShopRecord,
  type ShopRow,
} from './catalog-records';
import { Shop } from './shop.entity';

/** A page of one shop's products, asked for by `Shop.products(first, after)`. */
export interface ShopProductsKey {
  shopId: string;
  /** Archived products too: for the shop's artisan (MyShop) and ADMIN; never on the public shop page. */
  includeArchived: boolean;
  /** Rows to fetch: `first + 1`, the extra one tells whether a next page exists. */
  limit: number;
  afterId: string | null;
  /** The shop's counts are asked too (`totalCount`): they ride in the same statement, primed into `productCountOfShop`. */
  withCounts: boolean;
}

/**
 * The catalogue's per-request loaders, of plain records (see `catalog-records.ts`). The nested ones take a whole
 * page of parents in one statement: a LATERAL join reads each shop's first products from the (shop_id, id)
 * index, however many shops. A read that has already joined a record (a catalogue page joins each product's shop
 * and category) carries it in its records (`ProductJoins`) or primes its loader, so that the nested field costs no
 * statement.
 */
export function createCatalogLoaders(em: EntityManager) {
  /** Products of each shop: `total` counts archived ones too, `listed` only those on sale. */
  const productCountOfShop = new DataLoader<string, { total: number; listed: number }>(async (shopIds) => {
    const rows = await runSql<{ shop_id: string; total: number; listed: number }>(
      em,
      'select shop_id, count(*)::int as total, (count(*) filter (where not archived))::int as listed from product where shop_id = any(?::uuid[]) group by shop_id',
      [[...shopIds]],
    );
    const counts = new Map(rows.map((row) => [row.shop_id, { total: row.total, listed: row.listed }]));
    return shopIds.map((id) => counts.get(id) ?? { total: 0, listed: 0 });
  });
  return {
    shopById: recordsById<ShopRecord, ShopRow>(em, `select ${shopColumns('s')} from shop s where s.id = any(?::uuid[])`, shopOfRow),
    categoryById: recordsById<CategoryRecord, CategoryRow>(em, `select ${categoryColumns('c')} from category c where c.id = any(?::uuid[])`, categoryOfRow),
    productById: recordsById<ProductRecord, ProductRow>(em, `select ${productColumns('p')} from product p where p.id = any(?::uuid[])`, productOfRow),
    /** The shop of each artisan (one at most: the owner is unique), null for users without one. */
    shopByOwner: new DataLoader<string, Shop | null>(async (ownerIds) => {
      const shops = await em.find(Shop, { owner: { $in: [...ownerIds] } });
      const byOwner = new Map(shops.map((shop) => [shop.owner.id, shop]));
      return ownerIds.map((ownerId) => byOwner.get(ownerId) ?? null);
    }),

    productsOfShop: new DataLoader<ShopProductsKey, ProductRecord[], string>(
      async (keys) => {
        // Keys that differ only by shop share one statement; `after` within a nested list is rare.
        const groups = new Map<string, ShopProductsKey[]>();
        for (const key of keys) {
          const group = `${key.limit}:${key.afterId ?? ''}:${key.includeArchived}:${key.withCounts}`;
          groups.set(group, [...(groups.get(group) ?? []), key]);
        }
        const pages = new Map<string, ProductRecord[]>();
        await Promise.all(
          [...groups.values()].map(async (group) => {
            const { limit, afterId, includeArchived, withCounts } = group[0]!;
            const shopIds = group.map((key) => key.shopId);
            // Each product's category rides along (a page of shops lists it for every product), and so do the shop's
            // counts when `totalCount` is asked: a shop whose page is empty still has its row, with a null product.
            const rows = await runSql<Partial<ProductRow & CategoryRow> & { page_shop_id: string; total?: number; listed?: number }>(
              em,
              `select s.id as page_shop_id, ${productColumns('p')}, ${categoryColumns('c')}
                      ${withCounts ? ', n.total, n.listed' : ''}
                 from unnest(?::uuid[]) as s(id)
                 ${withCounts ? `cross join lateral (
                   select count(*)::int as total, (count(*) filter (where not archived))::int as listed from product where shop_id = s.id
                 ) n` : ''}
                 left join lateral (
                   select * from product
                    where shop_id = s.id ${afterId ? 'and id < ?' : ''} ${includeArchived ? '' : 'and not archived'}
                    order by id desc
                    limit ?
                 ) p on true
                 left join category c on c.id = p.category_id
                -- The join with category may reorder rows (a hash join): each page's order is restored here.
                order by s.id, p.id desc`,
              afterId ? [shopIds, afterId, limit] : [shopIds, limit],
            );
            for (const row of rows) {
              if (withCounts) productCountOfShop.prime(row.page_shop_id, { total: row.total!, listed: row.listed! });
              const pageKey = shopProductsCacheKey({ shopId: row.page_shop_id, limit, afterId, includeArchived, withCounts });
              if (!pages.has(pageKey)) pages.set(pageKey, []);
              if (row.id === null || row.id === undefined) continue;
              pages.get(pageKey)!.push(productOfRow(row as ProductRow, { category: categoryOfRow(row as CategoryRow) }));
            }
          }),
        );
        return keys.map((key) => pages.get(shopProductsCacheKey(key)) ?? []);
      },
      { cacheKeyFn: shopProductsCacheKey },
    ),

    productCountOfShop,
  };
}

/** Records by id, in one statement per tick (`sql` takes the ids as its one `?::uuid[]` parameter); null for an unknown id. */
function recordsById<Record extends { id: string }, Row>(em: EntityManager, sql: string, map: (row: Row) => Record): DataLoader<string, Record | null> {
  return new DataLoader(async (ids) => {
    const rows = await runSql<Row>(em, sql, [[...ids]]);
    const byId = new Map<string, Record>();
    for (const row of rows) {
      const record = map(row);
      byId.set(record.id, record);
    }
    return ids.map((id) => byId.get(id) ?? null);
  });
}

function shopProductsCacheKey(key: ShopProductsKey): string {
  return `${key.shopId}:${key.limit}:${key.afterId ?? ''}:${key.includeArchived}:${key.withCounts}`;
}
