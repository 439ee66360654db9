import { describe, expect, it } from '@jest/globals';
import { createStateHub, liveHubLifecycle, WatcherIndex } from '../../../src/infra/live-hub';
import { createLogger } from '../../../src/infra/logger';
import { createInProcessPubSub } from '../../../src/infra/pubsub';

describe('WatcherIndex', () => {
  it('should keep a key only while something watches it', () => {
    const index = new WatcherIndex<string>();
    const removeA = index.add('order-1', 'a');
    const removeB = index.add('order-1', 'b');
    expect([...index.of('order-1')]).toEqual(['a', 'b']);
    expect(index.keys()).toEqual(['order-1']);
    removeA();
    expect([...index.of('order-1')]).toEqual(['b']);
    removeB();
    expect(index.has('order-1')).toBe(false);
    expect(index.size).toBe(0);
    expect([...index.of('order-1')]).toEqual([]);
  });
});

describe('the live hub lifecycle', () => {
  const logger = createLogger('silent');

  function hubOver(pubsub = createInProcessPubSub()) {
    const received: number[] = [];
    let checks = 0;
    let release: () => void = () => undefined;
    const lifecycle = liveHubLifecycle<number>({
      name: 'test',
      topic: 'numbers',
      parse: (payload) => (typeof payload === 'number' ? payload : null),
      onEvent: (event) => received.push(event),
      reconcile: () => {
        checks++;
        return new Promise<void>((resolve) => (release = resolve));
      },
      pubsub,
      logger,
      reconcileMs: 60_000,
    });
    return { pubsub, lifecycle, received, checks: () => checks, release: () => release() };
  }

  it('should hand each parsed message to the hub once subscribed, drop malformed ones, and nothing after stop', async () => {
    const { pubsub, lifecycle, received } = hubOver();
    await lifecycle.start();
    await pubsub.publish('numbers', 1);
    await pubsub.publish('numbers', 'not a number');
    await pubsub.publish('numbers', 2);
    await lifecycle.stop();
    await pubsub.publish('numbers', 3);
    expect(received).toEqual([1, 2]);
  });

  it('should run one check against the database at a time: a second call joins the running one', async () => {
    const { lifecycle, checks, release } = hubOver();
    const first = lifecycle.reconcile();
    const second = lifecycle.reconcile();
    expect(checks()).toBe(1);
    release();
    await Promise.all([first, second]);
    const third = lifecycle.reconcile();
    expect(checks()).toBe(2);
    release();
    await third;
  });
});

describe('a state hub', () => {
  interface Account {
    userId: string;
    role: string;
  }

  it('should send each state of a watched object once, whether from a notification or from the check against the database', async () => {
    const pubsub = createInProcessPubSub();
    const database = new Map<string, Account>([['u1', { userId: 'u1', role: 'BUYER' }]]);
    const hub = createStateHub<Account>({
      name: 'accounts',
      topic: 'accounts',
      parse: (payload) => payload as Account,
      keyOf: (event) => event.userId,
      stateOf: (event) => event.role,
      readCurrent: async (keys) => keys.flatMap((key) => (database.has(key) ? [database.get(key)!] : [])),
      pubsub,
      logger: createLogger('silent'),
      reconcileMs: 60_000,
    });
    await hub.start();
    const seen: string[] = [];
    const stop = hub.watch(database.get('u1')!, (event) => seen.push(event.role));
    try {
      await pubsub.publish('accounts', { userId: 'u1', role: 'BUYER' });
      await pubsub.publish('accounts', { userId: 'u2', role: 'ADMIN' });
      await pubsub.publish('accounts', { userId: 'u1', role: 'ARTISAN' });
      database.set('u1', { userId: 'u1', role: 'ARTISAN' });
      await hub.reconcile();
      // A change whose notification never came.
      database.set('u1', { userId: 'u1', role: 'SUPPORT' });
      await hub.reconcile();
      await hub.reconcile();
      expect(seen).toEqual(['ARTISAN', 'SUPPORT']);
    } finally {
      stop();
      await hub.stop();
    }
  });

  it('should not send the older state of a check whose read a notification overtook', async () => {
    const pubsub = createInProcessPubSub();
    let finishRead: (events: Account[]) => void = () => undefined;
    const hub = createStateHub<Account>({
      name: 'accounts',
      topic: 'accounts',
      parse: (payload) => payload as Account,
      keyOf: (event) => event.userId,
      stateOf: (event) => event.role,
      // The read starts before the change commits and answers after its notification was delivered.
      readCurrent: () => new Promise<Account[]>((resolve) => (finishRead = resolve)),
      pubsub,
      logger: createLogger('silent'),
      reconcileMs: 60_000,
    });
    await hub.start();
    const seen: string[] = [];
    const stop = hub.watch({ userId: 'u1', role: 'BUYER' }, (event) => seen.push(event.role));
    try {
      const check = hub.reconcile();
      await pubsub.publish('accounts', { userId: 'u1', role: 'ARTISAN' });
      finishRead([{ userId: 'u1', role: 'BUYER' }]);
      await check;
      expect(seen).toEqual(['ARTISAN']);
    } finally {
      stop();
      await hub.stop();
    }
  });
});
