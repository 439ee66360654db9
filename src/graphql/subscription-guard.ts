import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';

/** Why an event may not be delivered: the error the subscriber gets as the subscription's last result. */
export interface EventRefusal {
  error: GraphQLError;
  /** Runs once the error has been handed on (e.g. closing the socket of a session that ended). */
  afterDelivery?: () => void;
}

/** An event may be delivered: it is executed with the context this makes, its own (see `contextForEvent`). */
export interface EventAdmission {
  /** Called only when the event is executed: a subscriber served by a shared execution needs none. */
  eventContext: () => unknown;
  /**
   * Set when the event's result depends on nothing but the event and this key (an anonymous subscriber with no
   * rule of its own: the operation and its variables): subscribers whose admissions carry the same key for the
   * same event object get one execution's result. A stock change fanned out to 2,000 dashboards watching one
   * product is executed once, not 2,000 times.
   */
  shareKey?: string;
}

/** Results of executions shared by subscribers (see {@link EventAdmission.shareKey}), by event object, then key: gone with the event. */
const sharedResults = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

function executeEvent(args: ExecutionArgs, admission: EventAdmission, event: unknown): Promise<ExecutionResult> | ExecutionResult {
  const run = () => execute({ ...args, contextValue: admission.eventContext(), rootValue: event });
  if (admission.shareKey === undefined || typeof event !== 'object' || event === null) return run();
  let byKey = sharedResults.get(event);
  if (!byKey) sharedResults.set(event, (byKey = new Map()));
  let result = byKey.get(admission.shareKey);
  if (!result) byKey.set(admission.shareKey, (result = Promise.resolve(run())));
  return result;
}

/**
 * Decides, before each event of a subscription is executed, whether it may still be delivered: an admission with
 * the event's context, false (the subscription ends without a word), or a refusal (it ends with that error).
 */
export type BeforeEvent = (args: ExecutionArgs) => Promise<EventAdmission | false | EventRefusal>;

/**
 * Reasons to run the check between events, at once (an operator changed the subscriber's account): calls `recheck`
 * on each; returns the function that stops listening, or nothing when there is nothing to listen to.
 */
export type WakeUps = (args: ExecutionArgs, recheck: () => void) => (() => void) | undefined;

/**
 * graphql-js's `subscribe`, with a check between each source event and its execution: when `beforeEvent`
 * answers false, the event is dropped and the subscription ends; when it answers a refusal, the event is dropped,
 * the refusal's error is the subscription's last result, and it ends. The check runs before the resolvers, so
 * that rules they apply see what the check refreshed. If the check throws, the subscription ends with an
 * error (graphql-ws sends it): fail closed. Each event is executed with the context its admission makes. `wakeUps` runs the same check without waiting for an event: a demoted
 * subscriber's feed ends when the role changes, not at its next event, which may be hours away. `subscribed` is
 * called once the subscription's source is running, before any event.
 */
export function guardedSubscribe(beforeEvent: BeforeEvent, wakeUps?: WakeUps, subscribed?: (args: ExecutionArgs) => void) {
  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in Object(source))) return source as ExecutionResult;
    subscribed?.(args);
    const events = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    let finished = false;
    let afterRefusal: (() => void) | undefined;
    /** The source's next event, asked for and not yet handed on (a wake-up may come first). */
    let pendingEvent: Promise<IteratorResult<unknown>> | undefined;
    /** Set by a wake-up that came while no `next()` was waiting; `wake` settles the wait of the one that is. */
    let woken = false;
    let wake: (() => void) | undefined;
    const stopWakeUps = wakeUps?.(args, () => {
      woken = true;
      wake?.();
    });
    const finish = async (): Promise<IteratorResult<ExecutionResult, undefined>> => {
      if (!finished) {
        finished = true;
        stopWakeUps?.();
        await events.return?.();
      }
      const after = afterRefusal;
      afterRefusal = undefined;
      after?.();
      return { done: true, value: undefined };
    };
    const refuse = async (refusal: EventRefusal): Promise<IteratorResult<ExecutionResult, undefined>> => {
      // The error goes out as the last result; the next call (graphql-ws makes it once that was sent) ends it.
      afterRefusal = refusal.afterDelivery ?? (() => undefined);
      stopWakeUps?.();
      await events.return?.();
      finished = true;
      return { done: false, value: { errors: [refusal.error] } };
    };
    /** The source's next event, or 'wake-up' when a wake-up comes first (the event stays pending for the next call). */
    const nextEventOrWakeUp = async (): Promise<IteratorResult<unknown> | 'wake-up'> => {
      pendingEvent ??= events.next();
      if (!woken) {
        // Without a wake-up source (live stock: the fan-out's hot path) there is nothing to race the event with.
        const wokenUp = stopWakeUps && new Promise<'wake-up'>((resolve) => (wake = () => resolve('wake-up')));
        const first = wokenUp ? await Promise.race([pendingEvent, wokenUp]) : await pendingEvent;
        wake = undefined;
        if (first !== 'wake-up') {
          pendingEvent = undefined;
          return first;
        }
      }
      woken = false;
      return 'wake-up';
    };
    // A plain object rather than an async generator: `return()` must reach the source at once, even while
    // `next()` waits for an event (graphql-ws calls it when the client completes or the socket closes).
    const results: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        try {
          for (;;) {
            if (finished || afterRefusal) return await finish();
            const event = await nextEventOrWakeUp();
            if (finished || (event !== 'wake-up' && event.done)) return await finish();
            const verdict = await beforeEvent(args);
            if (verdict === false) return await finish();
            if ('error' in verdict) return await refuse(verdict);
            // A wake-up that the check let pass: wait on for the event.
            if (event === 'wake-up') continue;
            return { done: false, value: await executeEvent(args, verdict, event.value) };
          }
        } catch (error) {
          // The subscription ends with the error (no `return()` follows a throwing `next()`): stop listening.
          stopWakeUps?.();
          throw error;
        }
      },
      return: finish,
      async throw(error: unknown) {
        await finish();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return results;
      },
    };
    return results;
  };
}
