import type { MikroORM } from '@mikro-orm/postgresql';
import { isDatabaseUnavailable } from '../../infra/db/unavailable';
import type { Logger } from '../../infra/logger';
import { liveHubLifecycle, WatcherIndex } from '../../infra/live-hub';
import type { PubSub } from '../../infra/pubsub';
import { runSql } from '../../shared/sql';
import { Product } from '../catalog';
import { readMovements } from './stock-ledger';
import { parseStockChangedEvent, STOCK_TOPIC, type StockChangedEvent } from './stock-events';
import { VersionSequencer } from './version-sequencer';

/** What one subscriber watches: named products, or every product of a shop. */
export type StockSelection = { productIds: string[] } | { shopId: string };

export interface LiveStockHubOptions {
  orm: MikroORM;
  pubsub: PubSub;
  logger: Logger;
  /** Period of the check against PostgreSQL that recovers lost notifications, in milliseconds. */
  reconcileMs: number;
  /** Called after each event is handed to its `subscribers` (metrics: count and lag). Default none. */
  onDelivered?: (event: StockChangedEvent, subscribers: number) => void;
  /**
   * How long an event waits for its product to be read while PostgreSQL is unavailable (restarting, the pool
   * exhausted) before it goes out with the error, in milliseconds. Default 30 000.
   */
  productReadPatienceMs?: number;
}

interface Watcher {
  selection: StockSelection;
  push(event: StockChangedEvent): void;
}

/**
 * The live stock of one instance. It takes every message of the `stock-changed` topic once (one pub/sub
 * subscription, however many subscribers), puts each watched product's events in version order with no gap
 * or duplicate (a {@link VersionSequencer} over the stock ledger), then hands them to the matching watchers.
 *
 * A lost notification is recovered two ways: the next event of that product reveals the gap, which is read
 * back from the ledger; and every `reconcileMs` the versions of all watched products are compared with the
 * database, which catches a lost last event too.
 */
export function createLiveStockHub(options: LiveStockHubOptions) {
  const log = options.logger.child({ component: 'live-stock' });
  const byProduct = new WatcherIndex<Watcher>();
  const byShop = new WatcherIndex<Watcher>();
  /** Shop of each tracked product, to find the shop's watchers and to untrack. */
  const shopOf = new Map<string, string>();
  /** The product of each event being delivered, read once (see `productAt`); gone with the event. */
  const productsOfEvents = new WeakMap<StockChangedEvent, Promise<Product>>();

  const sequencer = new VersionSequencer<StockChangedEvent>({
    fetchRange: (productId, from, to) => readMovements(options.orm.em.fork(), productId, from, to),
    deliver: (event) => {
      const productWatchers = byProduct.of(event.productId);
      const shopWatchers = byShop.of(event.shopId);
      for (const watcher of productWatchers) watcher.push(event);
      for (const watcher of shopWatchers) watcher.push(event);
      options.onDelivered?.(event, productWatchers.size + shopWatchers.size);
    },
    onError: (error, productId) => log.warn({ err: error, productId }, 'could not read the stock ledger; will retry'),
  });

  function onEvent(event: StockChangedEvent): void {
    // A product created after its shop's watchers started: follow it from its very first movement.
    if (!sequencer.isTracked(event.productId) && byShop.has(event.shopId)) {
      shopOf.set(event.productId, event.shopId);
      sequencer.track(event.productId, 0);
    }
    void sequencer.offer(event);
  }

  async function reconcile(): Promise<void> {
    const productIds = byProduct.keys();
    const shopIds = byShop.keys();
    if (!productIds.length && !shopIds.length) return;
    const rows = await runSql<{ id: string; shop_id: string; stock_version: number }>(
      options.orm.em.fork(),
      'select id, shop_id, stock_version from product where id = any(?::uuid[]) or shop_id = any(?::uuid[])',
      [productIds, shopIds],
    );
    await Promise.all(
      rows.map((row) => {
        if (!sequencer.isTracked(row.id)) {
          if (!byShop.has(row.shop_id)) return undefined;
          shopOf.set(row.id, row.shop_id);
          sequencer.track(row.id, 0);
        }
        return sequencer.catchUp(row.id, row.stock_version);
      }),
    );
  }

  function untrackUnwatched(productIds: Iterable<string>): void {
    for (const productId of productIds) {
      const shopId = shopOf.get(productId);
      if (byProduct.has(productId) || (shopId && byShop.has(shopId))) continue;
      sequencer.untrack(productId);
      shopOf.delete(productId);
    }
  }

  /**
   * The product, read again while PostgreSQL is unavailable: an event answered with SERVICE_UNAVAILABLE instead of
   * its data is a version the subscriber never sees (a PostgreSQL restart once cost a dashboard nine of them). The
   * subscriber's later events wait behind it, so order holds.
   */
  async function readProduct(productId: string): Promise<Product> {
    const deadline = Date.now() + (options.productReadPatienceMs ?? 30_000);
    for (let pauseMs = 100; ; pauseMs = Math.min(pauseMs * 2, 1_000)) {
      try {
        return await options.orm.em.fork().findOneOrFail(Product, productId);
      } catch (error) {
        if (!isDatabaseUnavailable(error) || Date.now() + pauseMs > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, pauseMs).unref());
      }
    }
  }

  const lifecycle = liveHubLifecycle({ ...options, name: 'live-stock', topic: STOCK_TOPIC, parse: parseStockChangedEvent, onEvent, reconcile });

  return {
    ...lifecycle,

    /**
     * Starts delivering the selection's changes to `push`: every change committed after this resolves, and
     * possibly a few committed an instant before (their `version` tells). The products' current versions
     * are read first, so that a change made before the watcher was registered is still found by gap filling.
     * Returns the function that stops it. Unknown product ids are ignored.
     */
    async watch(selection: StockSelection, push: (event: StockChangedEvent) => void): Promise<() => void> {
      const em = options.orm.em.fork();
      const rows =
        'productIds' in selection
          ? await runSql<{ id: string; shop_id: string; stock_version: number }>(em, 'select id, shop_id, stock_version from product where id = any(?::uuid[])', [selection.productIds])
          : await runSql<{ id: string; shop_id: string; stock_version: number }>(em, 'select id, shop_id, stock_version from product where shop_id = ?', [selection.shopId]);
      const watcher: Watcher = { selection, push };
      for (const row of rows) {
        shopOf.set(row.id, row.shop_id);
        sequencer.track(row.id, row.stock_version);
      }
      const removers =
        'productIds' in selection ? rows.map((row) => byProduct.add(row.id, watcher)) : [byShop.add(selection.shopId, watcher)];

      return () => {
        for (const remove of removers) remove();
        if ('productIds' in selection) untrackUnwatched(rows.map((row) => row.id));
        else untrackUnwatched([...shopOf].filter(([, shopId]) => shopId === selection.shopId).map(([productId]) => productId));
      };
    },

    /**
     * The product as it stood at `event` (its `available` and `stockVersion` are the event's), for
     * `StockChange.product`. Every subscriber of this instance gets the same event object, so the product is read
     * once per event, however many subscribers select it. Never flushed: a throwaway fork.
     */
    productAt(event: StockChangedEvent): Promise<Product> {
      let product = productsOfEvents.get(event);
      if (!product) {
        product = readProduct(event.productId).then((found) => Object.assign(found, { available: event.available, stockVersion: event.version }));
        // A failed read is not kept: the next subscriber tries again.
        product.catch(() => productsOfEvents.delete(event));
        productsOfEvents.set(event, product);
      }
      return product;
    },

    /** Resolves when every event received so far has been delivered (tests). */
    idle: () => sequencer.idle(),
  };
}
