import DataLoader from 'dataloader';
import { byIdLoader } from '../../shared/loaders';
import { runSql } from '../../shared/sql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Category } from './category.entity';
import { Product } from './product.entity';
import { Shop } from './shop.entity';

/** A page of one shop's products, asked for by `Shop.products(first, after)`. */
export interface ShopProductsKey {
  shopId: string;
  /** Archived products too: for the shop's artisan (MyShop) and ADMIN; never on the public shop page. */
  includeArchived: boolean;
  /** Rows to fetch: `first + 1`, the extra one tells whether a next page exists. */
  limit: number;
  afterId: string | null;
}

/**
 * The catalogue's per-request loaders. The nested ones take a whole page of parents in one statement:
 * a LATERAL join reads each shop's first products from the (shop_id, id) index, however many shops.
 */
export function createCatalogLoaders(em: EntityManager) {
  return {
    shopById: byIdLoader(em, Shop),
    categoryById: byIdLoader(em, Category),
    /** The shop of each artisan (one at most: the owner is unique), null for users without one. */
    shopByOwner: new DataLoader<string, Shop | null>(async (ownerIds) => {
      const shops = await em.find(Shop, { owner: { $in: [...ownerIds] } });
      const byOwner = new Map(shops.map((shop) => [shop.owner.id, shop]));
      return ownerIds.map((ownerId) => byOwner.get(ownerId) ?? null);
    }),

    productsOfShop: new DataLoader<ShopProductsKey, Product[], string>(
      async (keys) => {
        // Keys that differ only by shop share one statement; `after` within a nested list is rare.
        const groups = new Map<string, ShopProductsKey[]>();
        for (const key of keys) {
          const group = `${key.limit}:${key.afterId ?? ''}:${key.includeArchived}`;
          groups.set(group, [...(groups.get(group) ?? []), key]);
        }
        const pages = new Map<string, Product[]>();
        await Promise.all(
          [...groups.values()].map(async (group) => {
            const { limit, afterId, includeArchived } = group[0]!;
            const shopIds = group.map((key) => key.shopId);
            const rows = await runSql(
              em,
              `select p.id, p.shop_id, p.category_id, p.title, p.slug, p.description, p.price_amount, p.currency,
                      p.available, p.stock_version, p.images, p.archived, p.created_at, p.updated_at
                 from unnest(?::uuid[]) as s(id)
                 cross join lateral (
                   select * from product
                    where shop_id = s.id ${afterId ? 'and id < ?' : ''} ${includeArchived ? '' : 'and not archived'}
                    order by id desc
                    limit ?
                 ) p`,
              afterId ? [shopIds, afterId, limit] : [shopIds, limit],
            );
            for (const row of rows) {
              const pageKey = shopProductsCacheKey({ shopId: row.shop_id as string, limit, afterId, includeArchived });
              pages.set(pageKey, [...(pages.get(pageKey) ?? []), em.map(Product, row)]);
            }
          }),
        );
        return keys.map((key) => pages.get(shopProductsCacheKey(key)) ?? []);
      },
      { cacheKeyFn: shopProductsCacheKey },
    ),

    /** Products of each shop: `total` counts archived ones too, `listed` only those on sale. */
    productCountOfShop: new DataLoader<string, { total: number; listed: number }>(async (shopIds) => {
      const rows = await runSql<{ shop_id: string; total: number; listed: number }>(
        em,
        'select shop_id, count(*)::int as total, (count(*) filter (where not archived))::int as listed from product where shop_id = any(?::uuid[]) group by shop_id',
        [[...shopIds]],
      );
      const counts = new Map(rows.map((row) => [row.shop_id, { total: row.total, listed: row.listed }]));
      return shopIds.map((id) => counts.get(id) ?? { total: 0, listed: 0 });
    }),
  };
}

function shopProductsCacheKey(key: ShopProductsKey): string {
  return `${key.shopId}:${key.limit}:${key.afterId ?? ''}:${key.includeArchived}`;
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;
