import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { Product } from '../catalog/product.entity';
import { inventoryService } from './inventory.service';

@Resolver()
export class InventoryResolver {
  @Mutation(() => Product, {
    description:
      "Restock (+) or write off (-) a product, by its shop's artisan or an ADMIN; `reason` is kept in the stock ledger. " +
      'Never takes available stock below zero: that fails with BAD_USER_INPUT.',
  })
  adjustStock(
    @Arg('productId', () => ID) productId: string,
    @Arg('delta', () => Int) delta: number,
    @Arg('reason') reason: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Product> {
    return inventoryService.adjust(ctx, productId, delta, reason);
  }
}
