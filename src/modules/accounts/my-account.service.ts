import { Shop } from '../catalog';
import type { ServiceScope } from '../service-scope';
import { AsyncQueue } from '../../shared/async-queue';
import { required } from '../../shared/loaders';
import type { AccountChangedEvent } from './account-events';
import type { createAccountUpdatesHub } from './account-updates.hub';
import { requireViewer } from './accounts.errors';
import { User } from './user.entity';
import type { Viewer } from './viewer';

/** Changes of watched accounts (role, status): the instance's account hub. */
type AccountUpdates = Pick<ReturnType<typeof createAccountUpdatesHub>, 'watch'>;

/** The caller's own account: `me`, and `myAccount`'s live changes. */
export function createMyAccountService(deps: { live: { accounts: AccountUpdates } }) {
  return {
    /** The caller's account as it is now; null when anonymous. */
    async get(scope: ServiceScope): Promise<User | null> {
      const viewer = scope.viewer;
      // A rejected token never gets here (its rule refuses it): no viewer is an anonymous caller.
      if (!viewer) return null;
      if (viewer.record) return userOfViewer(scope, viewer);
      return required(await scope.loaders.userById.load(viewer.userId), 'user', viewer.sessionId);
    },

    /**
     * The caller's account as it is first, then each change from the instance's hub (notified in the change's
     * transaction). Guarded here: graphql-shield guards a subscription's events, not its `subscribe`.
     */
    watch(scope: ServiceScope): AsyncQueue<AccountChangedEvent> {
      const viewer = requireViewer(scope);
      const current: AccountChangedEvent = { userId: viewer.userId, role: viewer.role, status: viewer.status };
      const queue = new AsyncQueue<AccountChangedEvent>({ maxBuffered: 100, onClose: () => stop() });
      queue.push(current);
      const stop = deps.live.accounts.watch(current, (event) => queue.push(event));
      return queue;
    },

    /** The account of one event as it is now (a fresh EntityManager: an event's scope may outlive a read). */
    read(scope: ServiceScope, event: AccountChangedEvent): Promise<User> {
      return scope.em.fork().findOneOrFail(User, event.userId);
    },
  };
}

export type MyAccountService = ReturnType<typeof createMyAccountService>;

/**
 * The caller's user (and shop, primed into `shopByOwner`) from the row that this request's re-check read: as
 * current as a second read would be (see `ViewerCache`), and free. Merged into the scope's EntityManager, so
 * that a later load of the same user or shop in this request finds them too.
 */
function userOfViewer(scope: ServiceScope, viewer: Viewer): User {
  const record = viewer.record!;
  const { shop } = record;
  const user = scope.em.merge(User, {
    id: viewer.userId,
    email: record.email,
    sealedDisplayName: record.sealedDisplayName,
    role: viewer.role,
    status: viewer.status,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  });
  scope.loaders.shopByOwner.prime(viewer.userId, shop ? scope.em.merge(Shop, { ...shop, owner: viewer.userId }) : null);
  return user;
}
