import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { cartService } from './cart.service';
import { CartView } from './cart.types';

@Resolver()
export class CartResolver {
  @Query(() => CartView, { description: "The caller's cart; empty until something is added." })
  cart(@Ctx() ctx: RequestContext): Promise<CartView> {
    return cartService.get(ctx);
  }

  @Mutation(() => CartView, { description: 'Adds units of a product (1 to 99; a line holds at most 99). The product must have stock.' })
  addToCart(
    @Arg('productId', () => ID) productId: string,
    @Arg('quantity', () => Int) quantity: number,
    @Ctx() ctx: RequestContext,
  ): Promise<CartView> {
    return cartService.add(ctx, productId, quantity);
  }

  @Mutation(() => CartView, { description: "Sets a product's quantity in the cart (1 to 99); 0 removes the line." })
  setCartLineQuantity(
    @Arg('productId', () => ID) productId: string,
    @Arg('quantity', () => Int) quantity: number,
    @Ctx() ctx: RequestContext,
  ): Promise<CartView> {
    return cartService.setQuantity(ctx, productId, quantity);
  }
}
