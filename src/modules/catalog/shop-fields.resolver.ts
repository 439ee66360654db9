import type { GraphQLResolveInfo } from 'graphql';
import { Args, Ctx, Directive, FieldResolver, Info, Resolver, Root } from 'type-graphql';
import { CACHE_MAX_AGE, cacheHint } from '../../shared/cache-hints';
import type { RequestContext } from '../request-context';
import { User } from '../accounts';
import { ConnectionArgs, pageRequest, type Connection } from '../../shared/pagination';
import { required } from '../../shared/loaders';
import { selectsField } from '../../shared/selection';
import type { CatalogService } from './catalog.service';
import { ProductConnection } from './catalog.types';
import type { ProductRecord, ShopRecord } from './catalog-records';
import { Shop } from './shop.entity';

/** Relations of a shop. `products` of a whole page of shops is one statement, not one per shop. */
@Resolver(() => Shop)
export class ShopFieldsResolver {
  constructor(private readonly services: { catalogService: CatalogService }) {}

  // The owner's public profile (`id`, `displayName`) is as public as the shop; its private fields say PRIVATE.
  @Directive(cacheHint({ maxAge: CACHE_MAX_AGE.catalogue }))
  @FieldResolver(() => User, { description: 'The artisan who runs the shop.' })
  owner(@Root() shop: ShopRecord, @Ctx() ctx: RequestContext): User | Promise<User> {
    return shop.joined?.owner ?? ctx.loaders.userById.load(shop.owner.id).then((owner) => required(owner, 'owner', shop.id));
  }

  @FieldResolver(() => ProductConnection, {
    description: "The shop's products on sale, newest first; its artisan (and ADMIN) also sees the archived ones.",
  })
  products(
    @Root() shop: ShopRecord,
    @Args() args: ConnectionArgs,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<ProductRecord>> {
    return this.services.catalogService.listProductsOfShop(ctx, shop, pageRequest(args), selectsField(info, 'totalCount'));
  }
}
