import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../request-context';
import { Shop } from '../catalog';
import { User } from './user.entity';

/** Relations of a user, each through a per-request DataLoader. */
@Resolver(() => User)
export class UserFieldsResolver {
  @FieldResolver(() => Shop, { nullable: true, description: "The artisan's shop; null for anyone without one." })
  shop(@Root() user: User, @Ctx() ctx: RequestContext): Promise<Shop | null> {
    return ctx.loaders.shopByOwner.load(user.id);
  }
}
