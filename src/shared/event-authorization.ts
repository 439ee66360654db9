/**
 * The rule that admitted a subscription, evaluated again before each of its events against that event's context
 * (the viewer as the per-event re-check found it: current role and status). It throws an error with a code
 * (FORBIDDEN, NOT_FOUND…) when the subscriber may no longer see what it watches: the subscription then ends with
 * that error. Generic over the context so that modules declare it without depending on the GraphQL layer.
 */
export type EventAuthorization<Context extends object> = (eventContext: Context) => void | Promise<void>;

const eventAuthorizations = new WeakMap<object, EventAuthorization<never>>();

/**
 * Called by a subscription's `subscribe` once it admitted the caller, with the subscription's context: `check`
 * then runs before every event, with the event's context.
 */
export function authorizeEachEvent<Context extends object>(subscription: Context, check: EventAuthorization<Context>): void {
  eventAuthorizations.set(subscription, check as EventAuthorization<never>);
}

/** The check that {@link authorizeEachEvent} registered for the subscription whose context this is, if any. */
export function eventAuthorizationOf<Context extends object>(subscription: Context): EventAuthorization<Context> | undefined {
  return eventAuthorizations.get(subscription) as EventAuthorization<Context> | undefined;
}
