import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '../../infra/logger';
import type { PubSub } from '../../infra/pubsub';
import { ORDER_TOPIC, parseOrderUpdatedEvent, readOrderEvents, type OrderUpdatedEvent } from './order-events';
import type { PaymentStatus } from '../payments/payment.entity';
import type { OrderStatus } from './order-status';

/** What a watcher has seen: a change of either status, or a new shipment, is delivered. */
export interface OrderState {
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  shippedShopIds: string[];
}

const stateKey = (state: OrderState) => `${state.status}/${state.paymentStatus}/${state.shippedShopIds.length}`;

export interface OrderUpdatesHubOptions {
  orm: MikroORM;
  pubsub: PubSub;
  logger: Logger;
  /** Period of the check against PostgreSQL that recovers lost notifications, in milliseconds. */
  reconcileMs: number;
  /** Called with the number of subscribers each event was handed to (metrics). Default none. */
  onDelivered?: (subscribers: number) => void;
}

interface Watcher {
  /** The statuses this watcher saw last (see stateKey): a change is delivered only when they differ. */
  last: string;
  push(event: OrderUpdatedEvent): void;
}

/**
 * Order, payment and shipment changes of one instance: one pub/sub subscription to `order-updated`, fanned out to
 * the watchers of each order. Each watcher gets each state (both statuses, the number of shipments) once; every `reconcileMs` the watched orders are
 * read back from PostgreSQL, so that a lost notification still arrives.
 */
export function createOrderUpdatesHub(options: OrderUpdatesHubOptions) {
  const log = options.logger.child({ component: 'order-updates' });
  const watchers = new Map<string, Set<Watcher>>();
  let unsubscribe: (() => Promise<void>) | null = null;
  let timer: NodeJS.Timeout | null = null;
  let reconciling: Promise<void> | null = null;

  function dispatch(event: OrderUpdatedEvent): void {
    let subscribers = 0;
    for (const watcher of watchers.get(event.orderId) ?? []) {
      const key = stateKey(event);
      if (watcher.last === key) continue;
      watcher.last = key;
      watcher.push(event);
      subscribers++;
    }
    if (subscribers) options.onDelivered?.(subscribers);
  }

  async function reconcile(): Promise<void> {
    if (!watchers.size) return;
    for (const event of await readOrderEvents(options.orm.em.fork(), [...watchers.keys()])) dispatch(event);
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

    /** Delivers the changes of the order or its payment after `current` to `push`; returns the function that stops it. */
    watch(orderId: string, current: OrderState, push: (event: OrderUpdatedEvent) => void): () => void {
      const watcher: Watcher = { last: stateKey(current), push };
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
