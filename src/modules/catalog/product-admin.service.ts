import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { ServiceScope } from '../service-scope';
import { AppError, BadUserInputError, ErrorCode, ForbiddenError, NotFoundError } from '../../shared/errors';
import { isId } from '../../shared/ids';
import { Role, requireViewer } from '../accounts';
import { catalogChanged, type CatalogVersion } from './catalog-version';
import { Category } from './category.entity';
import { slugify } from '../../shared/slugify';
import type { CreateProductInput, UpdateProductInput } from './product.inputs';
import { toStoredImages } from './product-image';
import { Product } from './product.entity';
import { randomSlugSuffix } from './slugs';

const SLUG_ATTEMPTS = 3;

/** What the product service is made with. */
export interface ProductAdminServiceDeps {
  /** This instance's catalogue version: a write bumps it at commit (read-your-writes, see `catalogChanged`). */
  catalogVersion: CatalogVersion;
}

/** The write side of products: an artisan adds and edits those of its own shop; an ADMIN may edit any. */
export function createProductAdminService(deps: ProductAdminServiceDeps) {
  return {
    /** A new product of the caller's shop, priced in the shop's currency, with `initialStock` units available. */
    async create(ctx: ServiceScope, input: CreateProductInput): Promise<Product> {
      const viewer = requireViewer(ctx);
      const shop = await ctx.loaders.shopByOwner.load(viewer.userId);
      if (!shop) throw new AppError(ErrorCode.NOT_FOUND, 'You have no shop yet: create it first');
      await requireCategory(ctx, input.categoryId);
      const base = slugify(input.title) || 'product';
      for (let attempt = 0; attempt < SLUG_ATTEMPTS; attempt += 1) {
        const em = ctx.em.fork();
        const now = ctx.clock.now();
        const product = em.create(Product, {
          shop: shop.id,
          category: input.categoryId,
          title: input.title.trim(),
          // Titles repeat across shops ("Hand-thrown mug"): a random suffix keeps slugs apart without a lookup.
          slug: `${base}-${randomSlugSuffix()}`,
          description: input.description?.trim() || null,
          priceAmount: input.priceAmount,
          currency: shop.currency,
          available: input.initialStock,
          stockVersion: 0,
          images: toStoredImages(input.images ?? []),
          createdAt: now,
          updatedAt: now,
        });
        try {
          await em.flush();
        } catch (error) {
          if (!(error instanceof UniqueConstraintViolationException)) throw error;
          continue;
        }
        catalogChanged(em, deps.catalogVersion);
        return product;
      }
      throw new Error(`no free product slug after ${SLUG_ATTEMPTS} attempts`);
    },

    /**
     * Changes a product. Only its shop's artisan or an ADMIN may: anyone else gets FORBIDDEN (the product itself is
     * public, so refusing says nothing new about it). The slug stays, so that links keep working.
     */
    async update(ctx: ServiceScope, id: string, input: UpdateProductInput): Promise<Product> {
      const viewer = requireViewer(ctx);
      const product = isId(id) ? await ctx.em.findOne(Product, id) : null;
      if (!product) throw new NotFoundError('Product');
      const shop = await ctx.loaders.shopById.load(product.shop.id);
      if (viewer.role !== Role.ADMIN && shop?.owner.id !== viewer.userId) {
        throw new ForbiddenError('You can only change the products of your own shop');
      }
      for (const field of ['title', 'priceAmount', 'categoryId', 'archived'] as const) {
        if (input[field] === null) throw new BadUserInputError(`input.${field}`, `${field} cannot be null: leave it out to keep it`);
      }
      if (input.title != null) product.title = input.title.trim();
      if (input.description !== undefined) product.description = input.description?.trim() || null;
      if (input.priceAmount != null) product.priceAmount = input.priceAmount;
      if (input.images !== undefined) product.images = toStoredImages(input.images ?? []);
      if (input.categoryId != null) {
        await requireCategory(ctx, input.categoryId);
        product.category = ctx.em.getReference(Category, input.categoryId, { wrapped: true });
      }
      // Archiving: the catalogue's cached answers drop it at once (the write notifies every instance; catalogChanged below).
      if (input.archived != null) product.archived = input.archived;
      product.updatedAt = ctx.clock.now();
      await ctx.em.flush();
      catalogChanged(ctx.em, deps.catalogVersion);
      return product;
    },
  };
}

export type ProductAdminService = ReturnType<typeof createProductAdminService>;

async function requireCategory(ctx: ServiceScope, categoryId: string): Promise<void> {
  if (!(await ctx.loaders.categoryById.load(categoryId))) throw new BadUserInputError('input.categoryId', 'No such category');
}
