import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { required } from '../../shared/loaders';
import { Money } from '../../shared/money';
import { type ProductRecord, Product } from '../catalog';
import { CartLineView, CartView } from './cart.types';

/** The largest amount a GraphQL Int (and so Money.amount) can carry. */
const MAX_AMOUNT = 2_147_483_647;

@Resolver(() => CartView)
export class CartFieldsResolver {
  @FieldResolver(() => Money, {
    nullable: true,
    description: "Sum of the lines at today's prices; null when the cart is empty, mixes currencies (it cannot be checked out then) or sums above what an Int holds.",
  })
  async subtotal(@Root() cart: CartView, @Ctx() ctx: RequestContext): Promise<Money | null> {
    if (!cart.lines.length) return null;
    const products = await Promise.all(cart.lines.map((line) => ctx.loaders.productById.load(line.productId)));
    const currencies = new Set(products.map((product) => product?.currency));
    if (currencies.size !== 1) return null;
    const amount = cart.lines.reduce((sum, line, i) => sum + line.quantity * required(products[i] ?? null, 'product', cart.id).priceAmount, 0);
    return amount > MAX_AMOUNT ? null : Money.of(amount, products[0]!.currency);
  }
}

@Resolver(() => CartLineView)
export class CartLineFieldsResolver {
  @FieldResolver(() => Product, { description: 'The product of the line, as it is now (its price may have changed since it was added).' })
  async product(@Root() line: CartLineView, @Ctx() ctx: RequestContext): Promise<ProductRecord> {
    return required(await ctx.loaders.productById.load(line.productId), 'product', line.productId);
  }
}
