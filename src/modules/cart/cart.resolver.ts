import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import type { CartService } from './cart.service';
import { CartView } from './cart.types';

@Resolver()
export class CartResolver {
  constructor(private readonly services: { cartService: CartService }) {}

  @Query(() => CartView, { description: "The caller's cart; empty until something is added." })
  cart(@Ctx() ctx: RequestContext): Promise<CartView> {
    return this.services.cartService.get(ctx);
  }

  @Mutation(() => CartView, { description: 'Adds units of a product (1 to 99; a line holds at most 99). The product must have stock.' })
  addToCart(
    @Arg('productId', () => ID, { description: 'A product for sale (not archived).' }) productId: string,
    @Arg('quantity', () => Int, { description: 'Units to add: 1 to 99.' }) quantity: number,
    @Ctx() ctx: RequestContext,
  ): Promise<CartView> {
    return this.services.cartService.add(ctx, productId, quantity);
  }

  @Mutation(() => CartView, { description: "Sets a product's quantity in the cart (1 to 99); 0 removes the line." })
  setCartLineQuantity(
    @Arg('productId', () => ID, { description: 'A product for sale (not archived).' }) productId: string,
    @Arg('quantity', () => Int, { description: 'The new quantity: 0 to 99; 0 removes the line.' }) quantity: number,
    @Ctx() ctx: RequestContext,
  ): Promise<CartView> {
    return this.services.cartService.setQuantity(ctx, productId, quantity);
  }
}
