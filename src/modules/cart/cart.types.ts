import { Field, ID, Int, ObjectType } from 'type-graphql';

/** A product and how many of it; `product` is resolved through the per-request loader. */
@ObjectType('CartLine', { description: 'A product in the cart, with how many units of it.' })
export class CartLineView {
  productId!: string;

  @Field(() => Int, { description: 'From 1 to 99.' })
  quantity!: number;
}

/** The buyer's cart as the API shows it; `subtotal` and each line's `product` are field resolvers. */
@ObjectType('Cart', { description: "The caller's cart. Prices are today's; checkout copies them onto the order." })
export class CartView {
  @Field(() => ID, { description: 'Unique id of the cart: one per user, kept across sessions.' })
  id!: string;

  @Field(() => [CartLineView], { description: 'In the order they were added.' })
  lines!: CartLineView[];
}
