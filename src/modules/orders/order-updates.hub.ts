import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../infra/logger';
import type { PubSub } from '../../infra/pubsub';
import { runSql } from '../../shared/sql';
import { ORDER_TOPIC, parseOrderUpdatedEvent, type OrderUpdatedEvent } from './order-events';
import type { OrderStatus } from './order-status';

export interface OrderUpdatesHubOptions {
  orm: MikroORM;
  pubsub: PubSub;
  logger: Logger;
  /** Period of the check against PostgreSQL that recovers lost notifications, in milliseconds. */
  reconcileMs: number;
}

interface Watcher {
  /** The status this watcher saw last: a change is delivered only when it differs. */
  last: OrderStatus;
  push(event: OrderUpdatedEvent): void;
}

/**
 * Order status changes of one instance: one pub/sub subscription to `order-updated`, fanned out to the
 * watchers of each order. Each watcher gets each status once; every `reconcileMs` the watched orders are
 * read back from PostgreSQL, so that a lost notification still arrives.
 */
export function createOrderUpdatesHub(options: OrderUpdatesHubOptions) {
  const log = options.logger.child({ component: 'order-updates' });
  const watchers = new Map<string, Set<Watcher>>();
  let unsubscribe: (() => Promise<void>) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let reconciling: Promise<void> | null = null;

  function dispatch(event: OrderUpdatedEvent): void {
    for (const watcher of watchers.get(event.orderId) ?? []) {
      if (watcher.last === event.status) continue;
      watcher.last = event.status;
      watcher.push(event);
    }
  }

  async function reconcile(): Promise<void> {
    if (!watchers.size) return;
    const rows = await runSql<{ id: string; status: OrderStatus }>(
      options.orm.em.fork(),
      'select id, status from customer_order where id = any(?::uuid[])',
      [[...watchers.keys()]],
    );
    for (const row of rows) dispatch({ orderId: row.id, status: row.status });
  }

  return {
    async start(): Promise<void> {
      unsubscribe = await options.pubsub.subscribe(ORDER_TOPIC, (payload) => {
        const event = parseOrderUpdatedEvent(payload);
        if (event) dispatch(event);
        else log.warn({ payload }, 'dropped a malformed order event');
      });
      timer = setInterval(() => {
        if (reconciling) return;
        reconciling = reconcile()
          .catch((error: unknown) => log.warn({ err: error }, 'order updates check against the database failed'))
          .finally(() => {
            reconciling = null;
          });
      }, options.reconcileMs);
      timer.unref();
    },

    /** Delivers the order's status changes after `current` to `push`; returns the function that stops it. */
    watch(orderId: string, current: OrderStatus, push: (event: OrderUpdatedEvent) => void): () => void {
      const watcher: Watcher = { last: current, push };
      const set = watchers.get(orderId) ?? new Set<Watcher>();
      set.add(watcher);
      watchers.set(orderId, set);
      return () => {
        set.delete(watcher);
        if (!set.size && watchers.get(orderId) === set) watchers.delete(orderId);
      };
    },

    /** Runs the check against the database now (tests). */
    reconcile,

    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = null;
      await reconciling;
      await unsubscribe?.();
      unsubscribe = null;
    },
  };
}

export type OrderUpdatesHub = ReturnType<typeof createOrderUpdatesHub>;
