import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { RequestContext } from '../../graphql/context';
import { ConflictError, UnauthenticatedError } from '../../graphql/errors';
import { catalogChanged } from './catalog-version';
import { slugify } from './demo-catalog';
import type { CreateShopInput } from './shop.inputs';
import { Shop } from './shop.entity';
import { firstFreeSlug, randomSlugSuffix } from './slugs';

const SLUG_ATTEMPTS = 4;

/** The write side of shops: artisans open theirs (one each). */
export const shopService = {
  /** Opens the caller's shop with a unique slug made from its name. One shop per artisan: a second is a CONFLICT. */
  async create(ctx: RequestContext, input: CreateShopInput): Promise<Shop> {
    const ownerId = ctx.viewer?.userId;
    if (!ownerId) throw new UnauthenticatedError();
    if (await ctx.loaders.shopByOwner.load(ownerId)) throw alreadyHasShop();
    const base = slugify(input.name) || 'shop';
    for (let attempt = 0; attempt < SLUG_ATTEMPTS; attempt += 1) {
      const slug = attempt === 0 ? await firstFreeSlug(ctx.em, 'shop', base) : `${base}-${randomSlugSuffix()}`;
      // A fork per attempt: a failed insert leaves nothing behind in the request's EntityManager.
      const em = ctx.em.fork();
      const shop = em.create(Shop, {
        name: input.name.trim(),
        slug,
        description: input.description?.trim() || null,
        country: input.country.toUpperCase(),
        currency: input.currency,
        owner: ownerId,
        createdAt: ctx.clock.now(),
      });
      try {
        await em.flush();
      } catch (error) {
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
        // Either a concurrent request opened this artisan's shop, or another shop took the slug.
        if (await ctx.em.fork().count(Shop, { owner: ownerId })) throw alreadyHasShop();
        continue;
      }
      // `Me.shop` is answered from the viewer cache: the artisan's next request must see the new shop.
      await ctx.accounts.viewerCache.forget(ownerId);
      await catalogChanged(ctx);
      return shop;
    }
    throw new ConflictError('No free slug for this shop name: try another name');
  },
};

function alreadyHasShop(): ConflictError {
  return new ConflictError('You already have a shop: an artisan runs one shop');
}
