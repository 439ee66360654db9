import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { Product } from '../catalog';
import { MAX_ADJUSTMENT, MAX_REASON_LENGTH, MAX_STOCK, type InventoryService } from './inventory.service';

@Resolver()
export class InventoryResolver {
  constructor(private readonly services: { inventoryService: InventoryService }) {}

  @Mutation(() => Product, {
    description:
      "Restock (+) or write off (-) a product, by its shop's artisan or an ADMIN; `reason` is kept in the stock ledger. " +
      'Never takes available stock below zero: that fails with BAD_USER_INPUT.',
  })
  adjustStock(
    @Arg('productId', () => ID, { description: 'A product of your shop (any shop for ADMIN).' }) productId: string,
    @Arg('delta', () => Int, { description: `Units to add (positive: RESTOCK) or write off (negative: ADJUSTMENT): not 0, at most ${MAX_ADJUSTMENT} either way; stock stays from 0 to ${MAX_STOCK}.` }) delta: number,
    @Arg('reason', { description: `Why, kept in the stock ledger as the movement's note: 1 to ${MAX_REASON_LENGTH} characters.` }) reason: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Product> {
    return this.services.inventoryService.adjust(ctx, productId, delta, reason);
  }
}
