import type { SubscribeResolverData, SubscriptionOptions } from 'type-graphql';

/** type-graphql's type of a `subscribe` function (not exported by name). */
type SubscriptionSubscribeFunc = NonNullable<SubscriptionOptions['subscribe']>;

/** A subscription's `subscribe` that needs its resolver (for the services the resolver was made with). */
type SubscribeWithResolver = (resolver: object, data: SubscribeResolverData<unknown, Record<string, unknown>, unknown>) => AsyncIterable<unknown> | Promise<AsyncIterable<unknown>>;

const withResolver = new WeakMap<SubscriptionSubscribeFunc, SubscribeWithResolver>();

/**
 * A `@Subscription`'s `subscribe` that is given the resolver instance: type-graphql calls `subscribe` with the
 * source, arguments, context and info only, yet what a subscription draws on (a live hub, through a service) belongs
 * to the app, and the resolver is where the app's services are (its constructor). The schema (`buildAppSchema`)
 * replaces each such `subscribe` of the schema it builds by one that calls `subscribe(resolver, data)` with that
 * schema's own resolver instance, so that two apps in one process (tests, a cluster) each reach their own services.
 *
 *     subscribe: subscribeWithResolver((resolver: OrderUpdatesResolver, { args, context }) => resolver.subscribe(...))
 */
export function subscribeWithResolver<Resolver extends object, Args = Record<string, unknown>, Context = unknown>(
  subscribe: (resolver: Resolver, data: SubscribeResolverData<unknown, Args, Context>) => AsyncIterable<unknown> | Promise<AsyncIterable<unknown>>,
): SubscriptionSubscribeFunc {
  const unbound: SubscriptionSubscribeFunc = () => {
    throw new Error('this subscription needs its resolver: the schema must be built by buildAppSchema, with the app\'s services');
  };
  withResolver.set(unbound, subscribe as SubscribeWithResolver);
  return unbound;
}

/** The function that {@link subscribeWithResolver} was given, when `subscribe` is one of its; else undefined. */
export function subscribeWithResolverOf(subscribe: SubscriptionSubscribeFunc | undefined): SubscribeWithResolver | undefined {
  return subscribe && withResolver.get(subscribe);
}
