import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { required } from '../../shared/loaders';
import { Money } from '../../shared/money';
import type { CategoryRecord, ProductRecord, ShopRecord } from './catalog-records';
import { Category } from './category.entity';
import { Product } from './product.entity';
import { Shop } from './shop.entity';

/** Relations of a product, each through a per-request DataLoader. */
@Resolver(() => Product)
export class ProductFieldsResolver {
  @FieldResolver(() => Money, { description: "Price in the shop's currency." })
  price(@Root() product: ProductRecord): Money {
    return Money.of(product.priceAmount, product.currency);
  }

  @FieldResolver(() => Shop, { description: 'The shop that sells it.' })
  async shop(@Root() product: ProductRecord, @Ctx() ctx: RequestContext): Promise<ShopRecord> {
    return required(await ctx.loaders.shopById.load(product.shop.id), 'shop', product.id);
  }

  @FieldResolver(() => Category, { description: 'Where it is listed in the catalogue.' })
  async category(@Root() product: ProductRecord, @Ctx() ctx: RequestContext): Promise<CategoryRecord> {
    return required(await ctx.loaders.categoryById.load(product.category.id), 'category', product.id);
  }
}

