import type { PubSub } from 'type-graphql';

/**
 * type-graphql will not build subscriptions without a `pubSub`, even when each one has its own `subscribe`
 * function, as ours all do: they draw on the instance's hubs through their resolver's services (see
 * `buildAppSchema`), not through a pub/sub of the schema's. This one only says so if ever reached.
 */
export const subscriptionsBringTheirOwnSource: PubSub = {
  publish() {
    throw new Error('the schema has no pub/sub of its own: events come from the live hubs');
  },
  subscribe() {
    throw new Error('every @Subscription here must give its own `subscribe` function');
  },
};
