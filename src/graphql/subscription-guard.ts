import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';

/** Decides, before each event of a subscription is executed, whether it may still be delivered. */
export type BeforeEvent = (args: ExecutionArgs) => Promise<boolean>;

/**
 * graphql-js's `subscribe`, with a check between each source event and its execution: when `beforeEvent`
 * answers false, the event is dropped and the subscription ends. The check runs before the resolvers, so
 * that rules they apply see what the check refreshed. If the check throws, the subscription ends with an
 * error (graphql-ws sends it): fail closed.
 */
export function guardedSubscribe(beforeEvent: BeforeEvent) {
  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in Object(source))) return source as ExecutionResult;
    const events = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    let finished = false;
    const finish = async (): Promise<IteratorResult<ExecutionResult, undefined>> => {
      if (!finished) {
        finished = true;
        await events.return?.();
      }
      return { done: true, value: undefined };
    };
    // A plain object rather than an async generator: `return()` must reach the source at once, even while
    // `next()` waits for an event (graphql-ws calls it when the client completes or the socket closes).
    const results: AsyncIterableIterator<ExecutionResult> = {
      async next() {
        if (finished) return { done: true, value: undefined };
        const event = await events.next();
        if (event.done) return finish();
        if (!(await beforeEvent(args))) return finish();
        return { done: false, value: await execute({ ...args, rootValue: event.value }) };
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
