import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, Directive, Info, Query, Resolver } from 'type-graphql';
import { CACHE_MAX_AGE, cacheHint } from '../../shared/cache-hints';
import type { RequestContext } from '../request-context';
import { ConnectionArgs, pageRequest, type Connection } from '../../shared/pagination';
import { selectsField } from '../../shared/selection';
import type { CategoryRecord, ProductRecord, ShopRecord } from './catalog-records';
import { Category } from './category.entity';
import { ProductFilter } from './catalog.inputs';
import type { CatalogService } from './catalog.service';
import { ProductConnection, ShopConnection } from './catalog.types';
import { Product } from './product.entity';
import { Shop } from './shop.entity';

@Resolver()
export class CatalogResolver {
  constructor(private readonly services: { catalogService: CatalogService }) {}

  @Directive(cacheHint({ maxAge: CACHE_MAX_AGE.catalogue }))
  @Query(() => ProductConnection, { description: 'The catalogue: products of every shop, newest first.' })
  products(
    @Args() page: ConnectionArgs,
    @Arg('filter', () => ProductFilter, { nullable: true, description: 'Narrows the catalogue; every product for sale when left out.' }) filter: ProductFilter | null,
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<ProductRecord>> {
    return this.services.catalogService.listProducts(ctx, pageRequest(page), filter, selectsField(info, 'totalCount'));
  }

  @Directive(cacheHint({ maxAge: CACHE_MAX_AGE.catalogue }))
  @Query(() => Product, { nullable: true, description: 'A product by its slug; null when there is none.' })
  product(@Arg('slug', { description: "The product's slug." }) slug: string, @Ctx() ctx: RequestContext): Promise<ProductRecord | null> {
    return this.services.catalogService.findProductBySlug(ctx, slug);
  }

  @Directive(cacheHint({ maxAge: CACHE_MAX_AGE.catalogue }))
  @Query(() => Shop, { nullable: true, description: "A shop by its slug, for the shop's own page; null when there is none." })
  shop(@Arg('slug', { description: "The shop's slug." }) slug: string, @Ctx() ctx: RequestContext): Promise<ShopRecord | null> {
    return this.services.catalogService.findShopBySlug(ctx, slug);
  }

  @Directive(cacheHint({ maxAge: CACHE_MAX_AGE.catalogue }))
  @Query(() => ShopConnection, { description: 'Every shop, newest first.' })
  shops(@Args() page: ConnectionArgs, @Ctx() ctx: RequestContext): Promise<Connection<ShopRecord>> {
    return this.services.catalogService.listShops(ctx, pageRequest(page));
  }

  @Directive(cacheHint({ maxAge: CACHE_MAX_AGE.categories }))
  @Query(() => [Category], { description: 'Every category, by name.' })
  categories(@Ctx() ctx: RequestContext): Promise<CategoryRecord[]> {
    return this.services.catalogService.listCategories(ctx);
  }
}
