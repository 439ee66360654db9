import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';

/** Why an event may not be delivered: the error the subscriber gets as the subscription's last result. */
export interface EventRefusal {
  error: GraphQLError;
  /** Runs once the error has been handed on (e.g. closing the socket of a session that ended). */
  afterDelivery?: () => void;
}

/**
 * Decides, before each event of a subscription is executed, whether it may still be delivered: true, false (the
 * subscription ends without a word), or a refusal (it ends with that error).
 */
export type BeforeEvent = (args: ExecutionArgs) => Promise<boolean | EventRefusal>;

/**
 * graphql-js's `subscribe`, with a check between each source event and its execution: when `beforeEvent`
 * answers false, the event is dropped and the subscription ends; when it answers a refusal, the event is dropped,
 * the refusal's error is the subscription's last result, and it ends. The check runs before the resolvers, so
 * that rules they apply see what the check refreshed. If the check throws, the subscription ends with an
 * error (graphql-ws sends it): fail closed.
 */
export function guardedSubscribe(beforeEvent: BeforeEvent) {
  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in Object(source))) return source as ExecutionResult;
    const events = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    let finished = false;
    let afterRefusal: (() => void) | undefined;
    const finish = async (): Promise<IteratorResult<ExecutionResult, undefined>> => {
      if (!finished) {
        finished = true;
        await events.return?.();
      }
      const after = afterRefusal;
      afterRefusal = undefined;
      after?.();
      return { done: true, value: undefined };
    };
    // A plain object rather than an async generator: `return()` must reach the source at once, even while
    // `next()` waits for an event (graphql-ws calls it when the client completes or the socket closes).
    const results: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        if (finished || afterRefusal) return finish();
        const event = await events.next();
        if (event.done) return finish();
        const verdict = await beforeEvent(args);
        if (verdict === true) return { done: false, value: await execute({ ...args, rootValue: event.value }) };
        if (verdict === false) return finish();
        // The error goes out as the last result; the next call (graphql-ws makes it once that was sent) ends it.
        afterRefusal = verdict.afterDelivery ?? (() => undefined);
        await events.return?.();
        finished = true;
        return { done: false, value: { errors: [verdict.error] } };
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
