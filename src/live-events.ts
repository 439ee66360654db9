import type { Config } from './config/config';
import type { Database } from './infra/db/database';
import type { Logger } from './infra/logger';
import type { Metrics } from './infra/metrics';
import { startNotifyRelay, type NotifyRelayOptions } from './infra/pg-notify-relay';
import type { PubSub } from './infra/pubsub';
import { ACCOUNT_NOTIFY_CHANNEL, ACCOUNT_TOPIC } from './modules/accounts/account-events';
import { createAccountUpdatesHub, type AccountUpdatesHub } from './modules/accounts/account-updates.hub';
import { createLiveStockHub, type LiveStockHub } from './modules/inventory/live-stock.hub';
import { STOCK_NOTIFY_CHANNEL, STOCK_TOPIC } from './modules/inventory/stock-events';
import { ORDER_NOTIFY_CHANNEL, ORDER_TOPIC } from './modules/orders/order-events';
import { CATALOG_NOTIFY_CHANNEL, CATALOG_TOPIC } from './modules/catalog/catalog-version';
import { createOrderUpdatesHub, type OrderUpdatesHub } from './modules/orders/order-updates.hub';
import { createShopOrderUpdatesHub, type ShopOrderUpdatesHub } from './modules/orders/shop-order-updates.hub';

/** The live side of one API instance: what its subscriptions (LiveStock, OrderUpdates, ShopOrderUpdates, myAccount) draw from. */
export interface LiveEvents {
  stock: LiveStockHub;
  orders: OrderUpdatesHub;
  /** The shops' live order feeds (ShopOrderUpdates), from the same order notifications. */
  shopOrders: ShopOrderUpdatesHub;
  /** Account changes (role, status), for `myAccount`. */
  accounts: AccountUpdatesHub;
  stop(): Promise<void>;
}

/**
 * Committed changes travel: transaction → `NOTIFY` (only on commit) → the notification relay → pub/sub
 * (Redis between instances when REDIS_URL is set, else in process) → each instance's hubs → subscribers.
 * With Redis, one relay in the whole deployment publishes (elected by advisory lock), which keeps commit
 * order and sends each event once; without it, every instance relays to itself.
 */
export async function startLiveEvents(deps: { config: Config; database: Database; pubsub: PubSub; logger: Logger; metrics?: Metrics }): Promise<LiveEvents> {
  const { config, database, pubsub, logger, metrics } = deps;
  const stock = createLiveStockHub({
    orm: database.orm,
    pubsub,
    logger,
    reconcileMs: config.live.reconcileMs,
    onDelivered: (event, subscribers) => {
      if (!metrics || !subscribers) return;
      metrics.liveEventsDelivered.inc({ topic: 'stock' }, subscribers);
      metrics.liveEventLag.observe({ topic: 'stock' }, Math.max(0, Date.now() - Date.parse(event.at)) / 1000);
    },
  });
  const orders = createOrderUpdatesHub({
    orm: database.orm,
    pubsub,
    logger,
    reconcileMs: config.live.reconcileMs,
    onDelivered: (subscribers) => metrics?.liveEventsDelivered.inc({ topic: 'order' }, subscribers),
  });
  const shopOrders = createShopOrderUpdatesHub({ orm: database.orm, pubsub, logger, reconcileMs: config.live.reconcileMs });
  const accounts = createAccountUpdatesHub({ orm: database.orm, pubsub, logger, reconcileMs: config.live.reconcileMs });
  const hubs = [stock, orders, shopOrders, accounts];
  for (const hub of hubs) await hub.start();
  const relay = await startNotifyRelay({
    databaseUrl: database.url,
    routes: { [STOCK_NOTIFY_CHANNEL]: STOCK_TOPIC, [ORDER_NOTIFY_CHANNEL]: ORDER_TOPIC, [ACCOUNT_NOTIFY_CHANNEL]: ACCOUNT_TOPIC, [CATALOG_NOTIFY_CHANNEL]: CATALOG_TOPIC },
    ...catalogRelayOptions(pubsub, logger),
    pubsub,
    exclusive: Boolean(config.redisUrl),
    logger,
  });
  return {
    stock,
    orders,
    shopOrders,
    accounts,
    async stop() {
      await relay.stop();
      await Promise.all(hubs.map((hub) => hub.stop()));
    },
  };
}

/**
 * The catalogue's invalidations ride on the relay too (see `followCatalogChanges`). They have no reconciliation of
 * their own: a publish that failed is sent again until it lands, and a relay that starts listening (after a gap in
 * which notifications were lost) announces a change, so that every instance drops its cached answers.
 */
function catalogRelayOptions(pubsub: PubSub, logger: Logger): Pick<NotifyRelayOptions, 'redeliverTopics' | 'onListening'> {
  const announce = () =>
    void pubsub.publish(CATALOG_TOPIC, {}, { redeliver: 'relay' }).catch((error: unknown) => logger.warn({ err: error }, 'could not announce a catalogue change: sent again until it lands'));
  return { redeliverTopics: [CATALOG_TOPIC], onListening: announce };
}
