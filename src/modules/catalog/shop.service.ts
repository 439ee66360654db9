import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { ServiceScope } from '../service-scope';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError, ConflictError, NotFoundError } from '../../shared/errors';
import { requireViewer, type AccountsRuntime } from '../accounts';
import { runSql } from '../../shared/sql';
import { catalogChanged, type CatalogVersion } from './catalog-version';
import { slugify } from '../../shared/slugify';
import type { CreateShopInput, UpdateShopInput } from './shop.inputs';
import { Shop } from './shop.entity';
import { firstFreeSlug, randomSlugSuffix } from './slugs';

const SLUG_ATTEMPTS = 4;

/** What the shop service is made with: the app's parts it writes through. */
export interface ShopServiceDeps {
  /** Its `viewerCache`: `Me.shop` is answered from it, so a shop's write forgets its owner there. */
  accounts: Pick<AccountsRuntime, 'viewerCache'>;
  /** This instance's catalogue version: a write bumps it at commit (read-your-writes, see `catalogChanged`). */
  catalogVersion: CatalogVersion;
}

/** The write side of shops: artisans open theirs (one each). */
export function createShopService(deps: ShopServiceDeps) {
  return {
    /** Opens the caller's shop with a unique slug made from its name. One shop per artisan: a second is a CONFLICT. */
    async create(ctx: ServiceScope, input: CreateShopInput): Promise<Shop> {
      const ownerId = requireViewer(ctx).userId;
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
        await deps.accounts.viewerCache.forget(ownerId);
        catalogChanged(em, deps.catalogVersion);
        return shop;
      }
      throw new ConflictError('No free slug for this shop name: try another name');
    },

    /**
     * Changes the caller's shop: name and description. A new name moves the slug too, but only while no order
     * references the shop: once buyers have ordered, their bookmarks and shared links to the shop must keep working,
     * so its slug stays. (A checkout committing at the very moment of the rename is not waited for: the shop then
     * had its new slug a moment before its first order.)
     */
    async update(ctx: ServiceScope, input: UpdateShopInput): Promise<Shop> {
      const ownerId = requireViewer(ctx).userId;
      const shop = await ctx.loaders.shopByOwner.load(ownerId);
      if (!shop) throw new NotFoundError('Shop');
      if (input.name === null) throw new BadUserInputError('input.name', 'name cannot be null: leave it out to keep it');
      const name = input.name?.trim();
      try {
        await ctx.em.fork().transactional(async (em: EntityManager) => {
          const [current] = await runSql<{ name: string; slug: string }>(em, 'select name, slug from shop where id = ? for update', [shop.id]);
          if (!current) throw new NotFoundError('Shop');
          let slug = current.slug;
          if (name && name !== current.name) {
            const [referenced] = await runSql(em, 'select 1 from order_line where shop_id = ? limit 1', [shop.id]);
            const base = slugify(name) || 'shop';
            if (!referenced && !slugBelongsTo(current.slug, base)) slug = await firstFreeSlug(em, 'shop', base);
          }
          const description = input.description === undefined ? undefined : input.description?.trim() || null;
          await runSql(
            em,
            `update shop set name = ?, slug = ?, description = ${description === undefined ? 'description' : '?'} where id = ?`,
            [name ?? current.name, slug, ...(description === undefined ? [] : [description]), shop.id],
          );
        });
      } catch (error) {
        if (error instanceof UniqueConstraintViolationException) throw new ConflictError('Another shop took this name just now: try again');
        throw error;
      }
      // `Me.shop` is answered from the viewer cache: the artisan's next request must see the change.
      await deps.accounts.viewerCache.forget(ownerId);
      catalogChanged(ctx.em, deps.catalogVersion);
      return ctx.em.fork().findOneOrFail(Shop, shop.id);
    },
  };
}

export type ShopService = ReturnType<typeof createShopService>;

/** Whether `slug` is `base` or one of its numbered variants (`base-2`…): a rename to the same words keeps it. */
function slugBelongsTo(slug: string, base: string): boolean {
  return slug === base || (slug.startsWith(`${base}-`) && /^\d+$/.test(slug.slice(base.length + 1)));
}

function alreadyHasShop(): ConflictError {
  return new ConflictError('You already have a shop: an artisan runs one shop');
}
