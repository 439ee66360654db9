import { Ctx, Directive, Query, Resolver, Root, Subscription } from 'type-graphql';
import { cacheHint } from '../../shared/cache-hints';
import type { RequestContext } from '../request-context';
import { required } from '../../shared/loaders';
import { Shop } from '../catalog/shop.entity';
import { AsyncQueue } from '../../shared/async-queue';
import type { AccountChangedEvent } from './account-events';
import { requireViewer } from './accounts.errors';
import { User } from './user.entity';
import type { Viewer } from './viewer';

/** The caller's own account. */
@Resolver()
export class MeResolver {
  @Directive(cacheHint({ scope: 'PRIVATE' }))
  @Query(() => User, {
    nullable: true,
    description: "The caller's account, as it is now; null when anonymous. A token that cannot be used (expired, ended) fails with UNAUTHENTICATED and its reason.",
  })
  async me(@Ctx() ctx: RequestContext): Promise<User | null> {
    const viewer = ctx.viewer;
    // A rejected token never gets here (its rule refuses it): no viewer is an anonymous caller.
    if (!viewer) return null;
    if (viewer.record) return userOfViewer(ctx, viewer);
    return required(await ctx.loaders.userById.load(viewer.userId), 'user', viewer.sessionId);
  }

  @Subscription(() => User, {
    description: "The caller's account now, then again each time an operator changes it (role, status).",
    // graphql-shield guards a subscription's `resolve` (each event), not its `subscribe`: check here too.
    subscribe: ({ context: untyped }) => {
      const context = untyped as RequestContext;
      const viewer = requireViewer(context);
      // The account as it is first, then each change from the instance's hub (notified in the change's transaction).
      const current: AccountChangedEvent = { userId: viewer.userId, role: viewer.role, status: viewer.status };
      const queue = new AsyncQueue<AccountChangedEvent>({ maxBuffered: 100, onClose: () => stop() });
      queue.push(current);
      const stop = context.live.accounts.watch(current, (event) => queue.push(event));
      return queue;
    },
  })
  myAccount(@Root() event: AccountChangedEvent, @Ctx() ctx: RequestContext): Promise<User> {
    // The subscription's context lives as long as it does: a fresh EntityManager per event reads the current row.
    return ctx.em.fork().findOneOrFail(User, event.userId);
  }
}

/**
 * The caller's user (and shop, primed into `shopByOwner`) from the row that this request's re-check read: as
 * current as a second read would be (see `ViewerCache`), and free. Merged into the request's EntityManager, so
 * that a later load of the same user or shop in this request finds them too.
 */
function userOfViewer(ctx: RequestContext, viewer: Viewer): User {
  const record = viewer.record!;
  const { shop } = record;
  const user = ctx.em.merge(User, {
    id: viewer.userId,
    email: record.email,
    displayName: record.displayName,
    role: viewer.role,
    status: viewer.status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  });
  ctx.loaders.shopByOwner.prime(viewer.userId, shop ? ctx.em.merge(Shop, { ...shop, owner: viewer.userId }) : null);
  return user;
}
