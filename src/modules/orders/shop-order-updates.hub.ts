import type { MikroORM } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../../infra/logger';
import { liveHubLifecycle, WatcherIndex } from '../../infra/live-hub';
import type { PubSub } from '../../infra/pubsub';
import { runSql } from '../../shared/sql';
import { ORDER_EVENT_COLUMNS, ORDER_TOPIC, parseOrderUpdatedEvent, type OrderUpdatedEvent } from './order-events';

/** One event of a shop's live feed: the order's change, for one of its shops. */
export interface ShopOrderEvent extends OrderUpdatedEvent {
  shopId: string;
}

export interface ShopOrderUpdatesHubOptions {
  orm: MikroORM;
  pubsub: PubSub;
  logger: Logger;
  /** Period of the check against PostgreSQL that recovers lost notifications, in milliseconds. */
  reconcileMs: number;
}

/** Orders whose last state each watcher remembers: a repeat of the same state (a reconciliation) is not sent again. */
const REMEMBERED_ORDERS = 1_000;

interface Watcher {
  /** When it started watching: the check against the database sends it no order changed before. */
  since: Date;
  /** What the shop has seen of each order lately: its status, and whether the shop has shipped it. */
  seen: LRUCache<string, string>;
  push(event: ShopOrderEvent): void;
}

/**
 * The shops' live order feeds of one instance (ShopOrderUpdates): the same pub/sub topic as OrderUpdates
 * (`order-updated`, relayed from the NOTIFY of the transaction that made the change), fanned out by the shops
 * that the order holds products of. A shop's watcher gets each new order and each change of the order's status
 * or of its own shipment, once. Every `reconcileMs` the orders of the watched shops changed since the last check
 * (`updated_at`, which every change of status and every shipment moves) are read back, so that a lost
 * notification still arrives; a change whose transaction took longer than one period to commit may be missed by
 * that check (not by the notification).
 */
export function createShopOrderUpdatesHub(options: ShopOrderUpdatesHubOptions) {
  const watchers = new WatcherIndex<Watcher>();
  let checkedUntil = new Date();

  function dispatch(event: OrderUpdatedEvent, updatedAt?: Date): void {
    for (const shopId of event.shopIds) {
      const key = `${event.status}/${event.shippedShopIds.includes(shopId) ? 'shipped' : 'not shipped'}`;
      for (const watcher of watchers.of(shopId)) {
        if (updatedAt && updatedAt < watcher.since) continue;
        if (watcher.seen.get(event.orderId) === key) continue;
        watcher.seen.set(event.orderId, key);
        watcher.push({ ...event, shopId });
      }
    }
  }

  async function reconcile(): Promise<void> {
    if (!watchers.size) return;
    const started = new Date();
    // One period back: a change stamped just before the last check may have committed just after it.
    const since = new Date(checkedUntil.getTime() - options.reconcileMs);
    const rows = await runSql<OrderUpdatedEvent & { updatedAt: Date }>(
      options.orm.em.fork(),
      `select ${ORDER_EVENT_COLUMNS}, o.updated_at as "updatedAt"
         from customer_order o join payment p on p.order_id = o.id
        where o.updated_at >= ?
          and exists (select 1 from order_line l where l.order_id = o.id and l.shop_id = any(?::uuid[]))
        order by o.updated_at`,
      [since, watchers.keys()],
    );
    for (const row of rows) dispatch(row, new Date(row.updatedAt));
    checkedUntil = started;
  }

  const lifecycle = liveHubLifecycle({
    ...options,
    name: 'shop-order-updates',
    topic: ORDER_TOPIC,
    parse: parseOrderUpdatedEvent,
    onEvent: (event) => dispatch(event),
    reconcile,
  });

  return {
    ...lifecycle,

    /** Delivers the shop's order changes from now on to `push`; returns the function that stops it. */
    watch(shopId: string, push: (event: ShopOrderEvent) => void): () => void {
      return watchers.add(shopId, { since: new Date(), seen: new LRUCache({ max: REMEMBERED_ORDERS }), push });
    },
  };
}
