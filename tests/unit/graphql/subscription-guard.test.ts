import { describe, expect, it } from '@jest/globals';
import { GraphQLError, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { guardedSubscribe } from '../../../src/graphql/subscription-guard';
import { AsyncQueue } from '../../../src/shared/async-queue';

function schemaOver(ticks: AsyncQueue<string>, resolved: string[]) {
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        ticks: {
          type: GraphQLString,
          subscribe: () => ticks,
          resolve: (tick: string) => {
            resolved.push(tick);
            return tick;
          },
        },
      },
    }),
  });
}

/** What the check answers for an event it lets through: a context of the event's own. */
const admitted = () => ({ eventContext: () => ({}) });

describe('guarded subscriptions', () => {
  it('should deliver events while the check passes, and drop the first one it refuses, before its resolvers run, then end', async () => {
    const ticks = new AsyncQueue<string>();
    const resolved: string[] = [];
    let allowed = true;
    const subscribe = guardedSubscribe(async () => (allowed ? admitted() : false));
    const stream = (await subscribe({ schema: schemaOver(ticks, resolved), document: parse('subscription { ticks }') })) as AsyncIterableIterator<ExecutionResult>;
    ticks.push('a');
    expect((await stream.next()).value).toEqual({ data: { ticks: 'a' } });
    allowed = false;
    ticks.push('b');
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(resolved).toEqual(['a']);
  });

  it('should deliver a refusal as the last result, without running the resolvers, then end and call its afterDelivery once', async () => {
    const ticks = new AsyncQueue<string>();
    const resolved: string[] = [];
    let refuse = false;
    let delivered = 0;
    const refusal = { error: new GraphQLError('no longer allowed', { extensions: { code: 'FORBIDDEN' } }), afterDelivery: () => void delivered++ };
    const subscribe = guardedSubscribe(async () => (refuse ? refusal : admitted()));
    const stream = (await subscribe({ schema: schemaOver(ticks, resolved), document: parse('subscription { ticks }') })) as AsyncIterableIterator<ExecutionResult>;
    ticks.push('a');
    expect((await stream.next()).value).toEqual({ data: { ticks: 'a' } });
    refuse = true;
    ticks.push('b');
    const last = await stream.next();
    expect(last.done).toBe(false);
    expect(last.value?.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
    expect(delivered).toBe(0);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(delivered).toBe(1);
    expect(resolved).toEqual(['a']);
  });

  it("should execute each event with the context its admission gives, never the subscription's own", async () => {
    const ticks = new AsyncQueue<string>();
    const seen: unknown[] = [];
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: { ticks: { type: GraphQLString, subscribe: () => ticks, resolve: (tick: string, _args, context: unknown) => (seen.push(context), tick) } },
      }),
    });
    const subscriptionContext = { name: 'subscription' };
    let events = 0;
    const subscribe = guardedSubscribe(async (args) => {
      expect(args.contextValue).toBe(subscriptionContext);
      return { eventContext: () => ({ name: `event ${++events}` }) };
    });
    const stream = (await subscribe({ schema, document: parse('subscription { ticks }'), contextValue: subscriptionContext })) as AsyncIterableIterator<ExecutionResult>;
    ticks.push('a');
    ticks.push('b');
    await stream.next();
    await stream.next();
    expect(seen).toEqual([{ name: 'event 1' }, { name: 'event 2' }]);
    await stream.return?.();
  });

  it('should execute an event once for all the subscribers whose admissions share a key, and once each otherwise', async () => {
    const resolved: string[] = [];
    const events = [new AsyncQueue<{ tick: string }>(), new AsyncQueue<{ tick: string }>(), new AsyncQueue<{ tick: string }>()];
    const schemaOf = (queue: AsyncQueue<{ tick: string }>) =>
      new GraphQLSchema({
        query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
        subscription: new GraphQLObjectType({
          name: 'Subscription',
          fields: { ticks: { type: GraphQLString, subscribe: () => queue, resolve: (event: { tick: string }) => (resolved.push(event.tick), event.tick) } },
        }),
      });
    const keys = ['anonymous LiveStock', 'anonymous LiveStock', undefined];
    const streams = await Promise.all(
      events.map(async (queue, i) => {
        const subscribe = guardedSubscribe(async () => ({ eventContext: () => ({}), shareKey: keys[i] }));
        return (await subscribe({ schema: schemaOf(queue), document: parse('subscription { ticks }') })) as AsyncIterableIterator<ExecutionResult>;
      }),
    );
    // One event object handed to every subscriber, as a hub does.
    const change = { tick: 'a' };
    for (const queue of events) queue.push(change);
    const results = await Promise.all(streams.map((stream) => stream.next()));
    expect(results.map((result) => result.value)).toEqual([{ data: { ticks: 'a' } }, { data: { ticks: 'a' } }, { data: { ticks: 'a' } }]);
    // The two that share a key: one execution; the third: its own.
    expect(resolved).toEqual(['a', 'a']);
    // Another event object is executed anew.
    const nextChange = { tick: 'b' };
    for (const queue of events) queue.push(nextChange);
    await Promise.all(streams.map((stream) => stream.next()));
    expect(resolved).toEqual(['a', 'a', 'b', 'b']);
    await Promise.all(streams.map((stream) => stream.return?.()));
  });

  it('should pass errors of the subscription itself through as a result', async () => {
    const subscribe = guardedSubscribe(async () => admitted());
    const result = await subscribe({ schema: schemaOver(new AsyncQueue<string>(), []), document: parse('subscription { nope }') });
    expect(Symbol.asyncIterator in Object(result)).toBe(false);
    expect((result as ExecutionResult).errors?.length).toBeGreaterThan(0);
  });

  it('should end the source at once when the consumer returns while waiting for an event', async () => {
    const ticks = new AsyncQueue<string>();
    const subscribe = guardedSubscribe(async () => admitted());
    const stream = (await subscribe({ schema: schemaOver(ticks, []), document: parse('subscription { ticks }') })) as AsyncIterableIterator<ExecutionResult>;
    const waiting = stream.next();
    await stream.return!();
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
  });

  describe('wake-ups (an account change between events)', () => {
    /** A wake-up source as the server's account hub is one: `wake()` calls every listener; `listening` counts them. */
    function wakeUpSource() {
      const listeners = new Set<() => void>();
      return {
        wakeUps: (_args: unknown, recheck: () => void) => {
          listeners.add(recheck);
          return () => void listeners.delete(recheck);
        },
        wake: () => listeners.forEach((listener) => listener()),
        get listening() {
          return listeners.size;
        },
      };
    }

    it('should end with the refusal at the wake-up, with no event, and stop listening', async () => {
      const ticks = new AsyncQueue<string>();
      const source = wakeUpSource();
      let allowed = true;
      const refusal = { error: new GraphQLError('demoted', { extensions: { code: 'FORBIDDEN' } }) };
      const subscribe = guardedSubscribe(async () => (allowed ? admitted() : refusal), source.wakeUps);
      const stream = (await subscribe({ schema: schemaOver(ticks, []), document: parse('subscription { ticks }') })) as AsyncIterableIterator<ExecutionResult>;
      expect(source.listening).toBe(1);
      const waiting = stream.next();
      allowed = false;
      source.wake();
      const last = await waiting;
      expect(last.value?.errors?.[0]?.extensions).toEqual({ code: 'FORBIDDEN' });
      expect(await stream.next()).toEqual({ done: true, value: undefined });
      expect(source.listening).toBe(0);
    });

    it('should deliver nothing for a wake-up the check lets pass, and the next event as usual', async () => {
      const ticks = new AsyncQueue<string>();
      const source = wakeUpSource();
      let checks = 0;
      const subscribe = guardedSubscribe(async () => {
        checks++;
        return admitted();
      }, source.wakeUps);
      const stream = (await subscribe({ schema: schemaOver(ticks, []), document: parse('subscription { ticks }') })) as AsyncIterableIterator<ExecutionResult>;
      const waiting = stream.next();
      source.wake();
      // A wake-up while no next() waits is not lost either.
      ticks.push('a');
      expect((await waiting).value).toEqual({ data: { ticks: 'a' } });
      source.wake();
      ticks.push('b');
      expect((await stream.next()).value).toEqual({ data: { ticks: 'b' } });
      expect(checks).toBe(4);
      await stream.return?.();
      expect(source.listening).toBe(0);
    });

    it('should stop listening when the check throws (the subscription ends with the error)', async () => {
      const ticks = new AsyncQueue<string>();
      const source = wakeUpSource();
      const subscribe = guardedSubscribe(async () => {
        throw new Error('the check failed');
      }, source.wakeUps);
      const stream = (await subscribe({ schema: schemaOver(ticks, []), document: parse('subscription { ticks }') })) as AsyncIterableIterator<ExecutionResult>;
      const waiting = stream.next();
      source.wake();
      await expect(waiting).rejects.toThrow('the check failed');
      expect(source.listening).toBe(0);
    });
  });
});
