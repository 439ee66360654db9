import { Ctx, Directive, Query, Resolver, Root, Subscription } from 'type-graphql';
import { cacheHint } from '../../shared/cache-hints';
import type { RequestContext } from '../request-context';
import type { AccountChangedEvent } from './account-events';
import type { MyAccountService } from './my-account.service';
import { User } from './user.entity';

/** The caller's own account. */
@Resolver()
export class MeResolver {
  constructor(private readonly services: { myAccountService: MyAccountService }) {}

  @Directive(cacheHint({ scope: 'PRIVATE' }))
  @Query(() => User, {
    nullable: true,
    description: "The caller's account, as it is now; null when anonymous. A token that cannot be used (expired, ended) fails with UNAUTHENTICATED and its reason.",
  })
  me(@Ctx() ctx: RequestContext): Promise<User | null> {
    return this.services.myAccountService.get(ctx);
  }

  @Subscription(() => User, {
    description: "The caller's account now, then again each time an operator changes it (role, status).",
    // Called with this resolver as `this` (see `buildAppSchema`).
    subscribe(this: MeResolver, { context }) {
      return this.services.myAccountService.watch(context as RequestContext);
    },
  })
  myAccount(@Root() event: AccountChangedEvent, @Ctx() ctx: RequestContext): Promise<User> {
    return this.services.myAccountService.read(ctx, event);
  }
}
