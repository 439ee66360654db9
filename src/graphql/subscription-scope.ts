import type { PubSub } from 'type-graphql';
import type { RequestContext } from './context';
import { forgetRequestState } from './context';

/**
 * type-graphql will not build subscriptions without a `pubSub`, even when each one has its own `subscribe`
 * function, as ours all do: they draw on the instance's hubs through the context (`ctx.live`), which the
 * schema, built once and also by `schema:emit`, cannot hold. This one only says so if ever reached.
 */
export const subscriptionsBringTheirOwnSource: PubSub = {
  publish() {
    throw new Error('publish through ctx.pubsub: the schema has no pub/sub of its own');
  },
  subscribe() {
    throw new Error('every @Subscription here must give its own `subscribe` function');
  },
};

/**
 * The rule that admitted a subscription, evaluated again before each of its events against the viewer as the
 * per-event re-check left it (current role and status). It throws an error with a code (FORBIDDEN, NOT_FOUND…)
 * when the subscriber may no longer see what it watches: the subscription then ends with that error.
 */
export type EventAuthorization = (ctx: RequestContext) => void | Promise<void>;

const eventAuthorizations = new WeakMap<RequestContext, EventAuthorization>();

/** Called by a subscription's `subscribe` once it admitted the caller: `check` then runs before every event. */
export function authorizeEachEvent(ctx: RequestContext, check: EventAuthorization): void {
  eventAuthorizations.set(ctx, check);
}

/** The check that {@link authorizeEachEvent} registered for this subscription's context, if any. */
export function eventAuthorizationOf(ctx: RequestContext): EventAuthorization | undefined {
  return eventAuthorizations.get(ctx);
}

/**
 * graphql-ws builds a subscription's context once, for its whole life. An event whose resolvers read the
 * database must not see the identity map and loader caches of the events before it: this makes the context
 * forget its EntityManager fork and loaders, so that the event's first read makes fresh ones. Lazily: making
 * them for every event of every subscriber (a fork and some twenty DataLoaders each) was most of the garbage of
 * a fan-out to 2,000 subscribers, whose LiveStock events never read the database. graphql-js resolves a
 * subscription's events one at a time, so this is safe.
 */
export function renewForEvent(ctx: RequestContext): void {
  forgetRequestState(ctx);
}
