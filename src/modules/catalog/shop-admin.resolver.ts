import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { CreateShopInput } from './shop.inputs';
import { Shop } from './shop.entity';
import { shopService } from './shop.service';

@Resolver()
export class ShopAdminResolver {
  @Mutation(() => Shop, { description: "Opens the caller's shop. ARTISAN only; one shop per artisan (CONFLICT otherwise)." })
  createShop(@Arg('input', () => CreateShopInput) input: CreateShopInput, @Ctx() ctx: RequestContext): Promise<Shop> {
    return shopService.create(ctx, input);
  }
}
