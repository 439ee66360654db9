import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { PubSub } from './pubsub';

/**
 * Watchers by key (an order id, a shop id, a user id): the fan-out index of every live hub. A key is kept only
 * while something watches it, so the hubs' checks against the database read only what is watched.
 */
export class WatcherIndex<W> {
  private readonly watchers = new Map<string, Set<W>>();

  /** Registers `watcher` under `key`; returns the function that removes it. */
  add(key: string, watcher: W): () => void {
    const set = this.watchers.get(key) ?? new Set<W>();
    set.add(watcher);
    this.watchers.set(key, set);
    return () => {
      set.delete(watcher);
      if (!set.size && this.watchers.get(key) === set) this.watchers.delete(key);
    };
  }

  /** The watchers of `key`; empty when none. */
  of(key: string): ReadonlySet<W> {
    return this.watchers.get(key) ?? NONE;
  }

  has(key: string): boolean {
    return this.watchers.has(key);
  }

  /** Every watched key. */
  keys(): string[] {
    return [...this.watchers.keys()];
  }

  get size(): number {
    return this.watchers.size;
  }
}

const NONE: ReadonlySet<never> = new Set<never>();

export interface LiveHubLifecycleOptions<E> {
  /** Names the hub in logs. */
  name: string;
  /** The pub/sub topic that the notification relay republishes the hub's `NOTIFY` channel on. */
  topic: string;
  /** The event in a message, or null when the message is not one (logged and dropped). */
  parse(payload: unknown): E | null;
  /** Hands one event to the hub's watchers. */
  onEvent(event: E): void;
  /** Compares what the watchers have seen with PostgreSQL and delivers what they missed (a lost notification). */
  reconcile(): Promise<void>;
  pubsub: PubSub;
  logger: Logger;
  /** Period of the check against PostgreSQL, in milliseconds. */
  reconcileMs: number;
}

export interface LiveHubLifecycle {
  /** Subscribes to the topic (resolves once subscribed) and starts the periodic check. */
  start(): Promise<void>;
  /** Runs the check against the database now, or joins the one running (tests, and after a Redis outage). */
  reconcile(): Promise<void>;
  /** Stops the check, waits for a running one, and unsubscribes. */
  stop(): Promise<void>;
}

/**
 * The lifecycle that every live hub shares: one pub/sub subscription per instance, however many subscribers, and
 * one periodic check against PostgreSQL at a time. Events reach the topic from `NOTIFY` in the transaction that
 * made the change (see `pg-notify-relay.ts`), so only committed changes travel; the check recovers any message
 * lost on the way (relay restart, Redis outage).
 */
export function liveHubLifecycle<E>(options: LiveHubLifecycleOptions<E>): LiveHubLifecycle {
  const log = options.logger.child({ component: options.name });
  let unsubscribe: (() => Promise<void>) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let reconciling: Promise<void> | null = null;

  function reconcile(): Promise<void> {
    reconciling ??= options.reconcile().finally(() => {
      reconciling = null;
    });
    return reconciling;
  }

  return {
    async start() {
      unsubscribe = await options.pubsub.subscribe(options.topic, (payload) => {
        const event = options.parse(payload);
        if (event) options.onEvent(event);
        else log.warn({ payload }, 'dropped a malformed live event');
      });
      timer = setInterval(() => {
        if (reconciling) return;
        reconcile().catch((error: unknown) => log.warn({ err: error }, 'live check against the database failed; will retry'));
      }, options.reconcileMs);
      timer.unref();
    },
    reconcile,
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await reconciling?.catch(() => undefined);
      await unsubscribe?.();
      unsubscribe = null;
    },
  };
}

export interface StateHubOptions<E> {
  name: string;
  topic: string;
  parse(payload: unknown): E | null;
  /** The watched object an event is about (an order id, a user id). */
  keyOf(event: E): string;
  /** What a watcher must not be sent twice: two events with the same state are one change. */
  stateOf(event: E): string;
  /** The current events of `keys`, read from PostgreSQL: the check that recovers lost notifications. */
  readCurrent(keys: string[]): Promise<E[]>;
  /** Called with the number of watchers each event was handed to (metrics). Default none. */
  onDelivered?: (subscribers: number) => void;
  pubsub: PubSub;
  logger: Logger;
  reconcileMs: number;
}

/**
 * A hub for objects whose whole current state travels in each event (an order, an account): each watcher gets each
 * state of its object once, whether it comes from a notification or from the periodic check, which makes the
 * check safe to repeat and a lost notification harmless.
 */
export function createStateHub<E>(options: StateHubOptions<E>) {
  const watchers = new WatcherIndex<{ last: string; push(event: E): void }>();

  function dispatch(event: E): void {
    let subscribers = 0;
    const state = options.stateOf(event);
    for (const watcher of watchers.of(options.keyOf(event))) {
      if (watcher.last === state) continue;
      watcher.last = state;
      watcher.push(event);
      subscribers++;
    }
    if (subscribers) options.onDelivered?.(subscribers);
  }

  // The objects a notification reached while a periodic read was under way: that read may have started before the
  // notified change committed, so its (older) state is not sent for them; the next check reads them again. Without
  // this a watcher could be sent CANCELLED, then the read's PENDING_PAYMENT, then CANCELLED again. (Checks never
  // overlap: `liveHubLifecycle` runs one at a time.)
  let notifiedDuringRead: Set<string> | null = null;

  const lifecycle = liveHubLifecycle<E>({
    ...options,
    onEvent: (event) => {
      notifiedDuringRead?.add(options.keyOf(event));
      dispatch(event);
    },
    async reconcile() {
      if (!watchers.size) return;
      const notified = (notifiedDuringRead = new Set());
      try {
        for (const event of await options.readCurrent(watchers.keys())) if (!notified.has(options.keyOf(event))) dispatch(event);
      } finally {
        notifiedDuringRead = null;
      }
    },
  });

  return {
    ...lifecycle,

    /** Delivers the changes of `current`'s object after `current` to `push`; returns the function that stops it. */
    watch(current: E, push: (event: E) => void): () => void {
      return watchers.add(options.keyOf(current), { last: options.stateOf(current), push });
    },
  };
}

/** What each module's live hubs are made with, once per API instance (see `ModuleLive` in `shared/module-manifest.ts`). */
export interface LiveHubDeps {
  orm: MikroORM;
  pubsub: PubSub;
  logger: Logger;
  /** LIVE_RECONCILE_MS: period of the check against PostgreSQL that recovers lost notifications. */
  reconcileMs: number;
  /** The API's metrics, for the hubs that count their deliveries; absent in tests that make no metrics. */
  metrics?: Pick<Metrics, 'liveEventsDelivered' | 'liveEventLag'>;
}
