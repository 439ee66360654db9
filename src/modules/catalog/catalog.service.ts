import type { ServiceScope } from '../service-scope';
import { keysetConnection, sqlKeysetPage } from '../../shared/keyset-page';
import type { Connection, PageRequest } from '../../shared/pagination';
import { optionalTimestampOf, runSql, timestampOf, type SqlTimestamp } from '../../shared/sql';
import { Role, User, type UserStatus } from '../accounts';
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
import type { ProductFilter } from './catalog.inputs';
import { createCatalogCounts } from './catalog-counts';
import type { CatalogVersion } from './catalog-version';

/** Categories are a small, curated taxonomy; this caps the list all the same. */
export const MAX_CATEGORIES = 500;

type CatalogRow = ProductRow & ShopRow & CategoryRow & { total_count?: number };

/** The owner's columns of a shop's row, prefixed `owner_`. */
interface OwnerRow {
  owner_email: string;
  /** Sealed: opened by `User.displayName` only if the answer asks for it. */
  owner_display_name: string;
  owner_role: Role;
  owner_status: UserStatus;
  owner_created_at: SqlTimestamp;
  owner_updated_at: SqlTimestamp;
  owner_deleted_at: SqlTimestamp | null;
}

/** What the catalogue's reads are made with. */
export interface CatalogServiceDeps {
  /** This instance's catalogue version: the counts of the catalogue's filters are kept while it stands still. */
  catalogVersion: CatalogVersion;
  /** `catalogCacheTtlSeconds`: how long a count is kept at most, as the public response cache's answers (0: never). */
  config: { catalogCacheTtlSeconds: number };
}

/**
 * Reads of the public catalogue, as plain records (see `catalog-records.ts`). Lists are keyset-paginated by
 * id, newest first. A page of products is one statement: each product joined with its shop and category (carried
 * in its record, so that `shop` and `category` cost nothing more, see `ProductJoins`) and, when `totalCount` is asked and not
 * already known at the catalogue's current version (`catalog-counts.ts`), the exact count of the filter beside it.
 */
export function createCatalogService(deps: CatalogServiceDeps) {
  const productCounts = createCatalogCounts(deps.catalogVersion, deps.config.catalogCacheTtlSeconds);
  return {
    async listProducts(ctx: ServiceScope, page: PageRequest, filter: ProductFilter | null | undefined, withCount: boolean): Promise<Connection<ProductRecord>> {
      const matches = (alias: string) => productFilterSql(alias, filter);
      const where = matches('p');
      // Looked up before the page is read: a count read with it is kept under the version of that moment.
      const known = withCount ? productCounts.lookup(productFilterKey(filter)) : null;
      const keepsCount = ctx.em.getTransactionContext() === undefined;
      const count = known && known.count === undefined ? matches('q') : null;
      // The count that rides beside the page's rows, when it was read.
      let countBeside: number | undefined;
      return sqlKeysetPage(ctx.em, page, {
        columns: {
          text: `${productColumns('p')}, ${shopColumns('s')}, ${categoryColumns('c')}
                 ${count ? `, (select count(*)::int from product q where ${count.sql}) as total_count` : ''}`,
          params: count?.params ?? [],
        },
        from: 'product p join shop s on s.id = p.shop_id join category c on c.id = p.category_id',
        where: { text: where.sql, params: where.params },
        key: 'p.id',
        toNode: (row: CatalogRow) => {
          countBeside ??= row.total_count;
          return productOfRow(row, { shop: shopOfRow(row), category: categoryOfRow(row) });
        },
        count: async () => {
          if (known?.count !== undefined) return known.count;
          // An empty page (after the last item) carries no count: then it takes a statement of its own.
          const total = countBeside ?? (await runSql<{ n: number }>(ctx.em, `select count(*)::int as n from product p where ${where.sql}`, where.params))[0]!.n;
          if (keepsCount) known?.remember(total);
          return total;
        },
      });
    },

    /**
     * A product by slug, archived or not (a link to a withdrawn product still shows it), in one statement: its shop, its
     * category and the shop's owner (the product page shows the artisan) are joined into its records.
     */
    async findProductBySlug(ctx: ServiceScope, slug: string): Promise<ProductRecord | null> {
      const [row] = await runSql<CatalogRow & OwnerRow>(
        ctx.em,
        `select ${productColumns('p')}, ${shopColumns('s')}, ${categoryColumns('c')},
                u.email as owner_email, u.display_name as owner_display_name, u.role as owner_role, u.status as owner_status,
                u.created_at as owner_created_at, u.updated_at as owner_updated_at, u.deleted_at as owner_deleted_at
           from product p
           join shop s on s.id = p.shop_id
           join category c on c.id = p.category_id
           join app_user u on u.id = s.owner_id
          where p.slug = ?`,
        [slug],
      );
      if (!row) return null;
      // Users are entities (their own fields and rules read them): merged, as the re-check's own row is (`me`).
      const owner = ctx.em.merge(User, {
        id: row.shop_owner_id,
        email: row.owner_email,
        sealedDisplayName: row.owner_display_name,
        role: row.owner_role,
        status: row.owner_status,
        createdAt: timestampOf(row.owner_created_at),
        updatedAt: timestampOf(row.owner_updated_at),
        deletedAt: optionalTimestampOf(row.owner_deleted_at),
      });
      return productOfRow(row, { shop: shopOfRow(row, { owner }), category: categoryOfRow(row) });
    },

    async findShopBySlug(ctx: ServiceScope, slug: string): Promise<ShopRecord | null> {
      const [row] = await runSql<ShopRow>(ctx.em, `select ${shopColumns('s')} from shop s where s.slug = ?`, [slug]);
      return row ? shopOfRow(row) : null;
    },

    async listShops(ctx: ServiceScope, page: PageRequest): Promise<Connection<ShopRecord>> {
      return sqlKeysetPage(ctx.em, page, {
        columns: { text: shopColumns('s'), params: [] },
        from: 'shop s',
        where: { text: 'true', params: [] },
        key: 's.id',
        toNode: (row: ShopRow) => {
          const shop = shopOfRow(row);
          // Their products' `shop` is one of these.
          ctx.loaders.shopById.prime(shop.id, shop);
          return shop;
        },
        count: async () => (await runSql<{ n: number }>(ctx.em, 'select count(*)::int as n from shop'))[0]!.n,
      });
    },

    /**
     * A shop's products on sale, newest first; its artisan (and ADMIN) also sees the archived ones. Batched: the loader
     * reads the pages of every shop of the parent list in one statement. `withCounts`: `totalCount` is asked.
     */
    listProductsOfShop(ctx: ServiceScope, shop: ShopRecord, page: PageRequest, withCounts: boolean): Promise<Connection<ProductRecord>> {
      const viewer = ctx.viewer;
      const includeArchived = viewer !== null && (viewer.role === Role.ADMIN || viewer.userId === shop.owner.id);
      const shopId = shop.id;
      return keysetConnection(page, {
        fetch: (limit, afterId) => ctx.loaders.productsOfShop.load({ shopId, limit, afterId, includeArchived, withCounts }),
        count: async () => {
          const counts = await ctx.loaders.productCountOfShop.load(shopId);
          return includeArchived ? counts.total : counts.listed;
        },
        // `after` within a nested list is rare (one shop's page): one statement each is fine.
        precedes: async (afterId) =>
          (await runSql(ctx.em, `select 1 from product where shop_id = ? and id >= ?${includeArchived ? '' : ' and not archived'} limit 1`, [shopId, afterId])).length > 0,
      });
    },

    async listCategories(ctx: ServiceScope): Promise<CategoryRecord[]> {
      const rows = await runSql<CategoryRow>(ctx.em, `select ${categoryColumns('c')} from category c order by c.name limit ?`, [MAX_CATEGORIES]);
      return rows.map(categoryOfRow);
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;

/** The key of a product filter's count: its conditions, in a fixed order. */
function productFilterKey(filter: ProductFilter | null | undefined): string {
  return JSON.stringify([filter?.shopId ?? null, filter?.categoryId ?? null, filter?.inStockOnly ?? false, filter?.search ?? null]);
}

/**
 * The catalogue filter as a SQL condition on `product` aliased `alias`, with its `?` parameters in order.
 * Archived products have left the catalogue (its lists and search); orders and carts still reach them by id.
 */
function productFilterSql(alias: string, filter: ProductFilter | null | undefined): { sql: string; params: unknown[] } {
  const conditions = [`not ${alias}.archived`];
  const params: unknown[] = [];
  if (filter?.shopId) {
    conditions.push(`${alias}.shop_id = ?`);
    params.push(filter.shopId);
  }
  if (filter?.categoryId) {
    conditions.push(`${alias}.category_id = ?`);
    params.push(filter.categoryId);
  }
  if (filter?.inStockOnly) conditions.push(`${alias}.available > 0`);
  if (filter?.search) {
    conditions.push(`${alias}.search_vector @@ plainto_tsquery('simple', ?)`);
    params.push(filter.search);
  }
  return { sql: conditions.join(' and '), params };
}
