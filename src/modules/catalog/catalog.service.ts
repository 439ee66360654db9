import type { FilterQuery } from '@mikro-orm/postgresql';
import type { RequestContext } from '../../graphql/context';
import { keysetPage } from '../../shared/keyset-page';
import type { Connection, PageRequest } from '../../shared/pagination';
import { Category } from './category.entity';
import type { ProductFilter } from './catalog.inputs';
import { Product } from './product.entity';
import { Shop } from './shop.entity';

/** Categories are a small, curated taxonomy; this caps the list all the same. */
export const MAX_CATEGORIES = 500;

/** Reads of the public catalogue. Lists are keyset-paginated by id, newest first. */
export const catalogService = {
  listProducts(ctx: RequestContext, page: PageRequest, filter: ProductFilter | null | undefined): Promise<Connection<Product>> {
    // Archived products have left the catalogue (its lists and search); orders and carts still reach them by id.
    const where: FilterQuery<Product> = { archived: false };
    if (filter?.shopId) where.shop = filter.shopId;
    if (filter?.categoryId) where.category = filter.categoryId;
    if (filter?.inStockOnly) where.available = { $gt: 0 };
    if (filter?.search) where.searchVector = { $fulltext: filter.search };
    return keysetPage(ctx.em, Product, where, page);
  },

  findProductBySlug(ctx: RequestContext, slug: string): Promise<Product | null> {
    return ctx.em.findOne(Product, { slug });
  },

  findShopBySlug(ctx: RequestContext, slug: string): Promise<Shop | null> {
    return ctx.em.findOne(Shop, { slug });
  },

  listShops(ctx: RequestContext, page: PageRequest): Promise<Connection<Shop>> {
    return keysetPage(ctx.em, Shop, {}, page);
  },

  listCategories(ctx: RequestContext): Promise<Category[]> {
    return ctx.em.find(Category, {}, { orderBy: { name: 'asc' }, limit: MAX_CATEGORIES });
  },
};
