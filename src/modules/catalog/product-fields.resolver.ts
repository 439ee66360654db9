import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { required } from '../../shared/loaders';
import { Money } from '../../shared/money';
import type { CategoryRecord, ProductRecord, ShopRecord } from './catalog-records';
import { Category } from './category.entity';
import { Product } from './product.entity';
import { Shop } from './shop.entity';

/** Relations of a product: those its read joined as they are, the others through a per-request DataLoader. */
@Resolver(() => Product)
export class ProductFieldsResolver {
  @FieldResolver(() => Money, { description: "Price in the shop's currency." })
  price(@Root() product: ProductRecord): Money {
    return Money.of(product.priceAmount, product.currency);
  }

  // Not `async`: joined by the product's read, the relation is answered as a value (see `ProductJoins`).
  @FieldResolver(() => Shop, { description: 'The shop that sells it.' })
  shop(@Root() product: ProductRecord, @Ctx() ctx: RequestContext): ShopRecord | Promise<ShopRecord> {
    return product.joined?.shop ?? ctx.loaders.shopById.load(product.shop.id).then((shop) => required(shop, 'shop', product.id));
  }

  @FieldResolver(() => Category, { description: 'Where it is listed in the catalogue.' })
  category(@Root() product: ProductRecord, @Ctx() ctx: RequestContext): CategoryRecord | Promise<CategoryRecord> {
    return product.joined?.category ?? ctx.loaders.categoryById.load(product.category.id).then((category) => required(category, 'category', product.id));
  }
}

