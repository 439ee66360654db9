import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { CreateShopInput, UpdateShopInput } from './shop.inputs';
import { Shop } from './shop.entity';
import type { ShopService } from './shop.service';

@Resolver()
export class ShopAdminResolver {
  constructor(private readonly services: { shopService: ShopService }) {}

  @Mutation(() => Shop, { description: "Opens the caller's shop. ARTISAN only; one shop per artisan (CONFLICT otherwise)." })
  createShop(
    @Arg('input', () => CreateShopInput,
    { description: 'The new shop.' }) input: CreateShopInput, @Ctx() ctx: RequestContext,
  ): Promise<Shop> {
    return this.services.shopService.create(ctx, input);
  }

  @Mutation(() => Shop, {
    description:
      "Renames or redescribes the caller's shop (ARTISAN). The slug follows a new name only while no order references the shop; " +
      'after that it stays, so that links keep working.',
  })
  updateShop(
    @Arg('input', () => UpdateShopInput,
    { description: 'The fields to change; those left out keep their value.' }) input: UpdateShopInput, @Ctx() ctx: RequestContext,
  ): Promise<Shop> {
    return this.services.shopService.update(ctx, input);
  }
}
