import { Ctx, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { RequestContext } from '../../graphql/context';
import { UnauthenticatedError } from '../../graphql/errors';
import { channelIterator } from '../../infra/pubsub-iterator';
import { required } from '../../shared/loaders';
import { accountChangedChannel, type AccountTopicPayloads, type AccountTopic } from './account-events';
import { accountBannedError } from './accounts.errors';
import { User, UserStatus } from './user.entity';

type AccountChanged = AccountTopicPayloads[AccountTopic.ACCOUNT_CHANGED];

/** The caller's own account. */
@Resolver()
export class MeResolver {
  @Query(() => User, { description: "The caller's account, as it is now." })
  async me(@Ctx() ctx: RequestContext): Promise<User> {
    const viewer = ctx.viewer;
    if (!viewer) throw new UnauthenticatedError();
    return required(await ctx.loaders.userById.load(viewer.userId), 'user', viewer.sessionId);
  }

  @Subscription(() => User, {
    description: "The caller's account now, then again each time an operator changes it (role, status).",
    // graphql-shield guards a subscription's `resolve` (each event), not its `subscribe`: check here too.
    subscribe: ({ context }) => {
      const viewer = (context as RequestContext).viewer;
      if (!viewer) throw new UnauthenticatedError();
      if (viewer.status === UserStatus.BANNED) throw accountBannedError();
      const initial: AccountChanged = { userId: viewer.userId };
      return channelIterator<AccountChanged>((context as RequestContext).pubsub, accountChangedChannel(viewer.userId), { initial });
    },
  })
  myAccount(@Root() event: AccountChanged, @Ctx() ctx: RequestContext): Promise<User> {
    // The subscription's context lives as long as it does: a fresh EntityManager per event reads the current row.
    return ctx.em.fork().findOneOrFail(User, event.userId);
  }
}
