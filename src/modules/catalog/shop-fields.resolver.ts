import type { GraphQLResolveInfo } from 'graphql';
import { Args, Ctx, Directive, FieldResolver, Info, Resolver, Root } from 'type-graphql';
import { CACHE_MAX_AGE, cacheHint } from '../../shared/cache-hints';
import type { RequestContext } from '../request-context';
import { Role, User } from '../accounts/user.entity';
import { keysetConnection } from '../../shared/keyset-page';
import { ConnectionArgs, pageRequest, type Connection } from '../../shared/pagination';
import { required } from '../../shared/loaders';
import { selectsField } from '../../shared/selection';
import { runSql } from '../../shared/sql';
import { ProductConnection } from './catalog.types';
import type { ProductRecord, ShopRecord } from './catalog-records';
import { Shop } from './shop.entity';

/** Relations of a shop. `products` of a whole page of shops is one statement, not one per shop. */
@Resolver(() => Shop)
export class ShopFieldsResolver {
  // The owner's public profile (`id`, `displayName`) is as public as the shop; its private fields say PRIVATE.
  @Directive(cacheHint({ maxAge: CACHE_MAX_AGE.catalogue }))
  @FieldResolver(() => User, { description: 'The artisan who runs the shop.' })
  async owner(@Root() shop: ShopRecord, @Ctx() ctx: RequestContext): Promise<User> {
    return required(await ctx.loaders.userById.load(shop.owner.id), 'owner', shop.id);
  }

  @FieldResolver(() => ProductConnection, {
    description: "The shop's products on sale, newest first; its artisan (and ADMIN) also sees the archived ones.",
  })
  async products(
    @Root() shop: ShopRecord,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<ProductRecord>> {
    const page = pageRequest(args);
    const viewer = ctx.viewer;
    const includeArchived = viewer !== null && (viewer.role === Role.ADMIN || viewer.userId === shop.owner.id);
    const withCounts = selectsField(info, 'totalCount');
    // Batched: the loader reads the pages of every shop of the parent list in one statement.
    return keysetConnection(page, {
      fetch: (limit, afterId) => ctx.loaders.productsOfShop.load({ shopId: shop.id, limit, afterId, includeArchived, withCounts }),
      count: async () => {
        const counts = await ctx.loaders.productCountOfShop.load(shop.id);
        return includeArchived ? counts.total : counts.listed;
      },
      // `after` within a nested list is rare (one shop's page): one statement each is fine.
      precedes: async (afterId) =>
        (await runSql(ctx.em, `select 1 from product where shop_id = ? and id >= ?${includeArchived ? '' : ' and not archived'} limit 1`, [shop.id, afterId])).length > 0,
    });
  }
}
