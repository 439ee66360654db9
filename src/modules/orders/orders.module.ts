import { FulfilmentResolver } from './fulfilment.resolver';
import { ShopOrderFieldsResolver, ShopOrdersResolver } from './shop-order-fields.resolver';
import { ShopOrderUpdatesResolver } from './shop-order-updates.resolver';
import { OrderFieldsResolver, OrderLineFieldsResolver, ShipmentFieldsResolver } from './order-fields.resolver';
import { OrderUpdatesResolver } from './order-updates.resolver';
import { OrderResolver } from './order.resolver';
import type { LiveHubDeps } from '../../infra/live-hub';
import { Address } from './address';
import { createCheckoutService, type CheckoutDeps } from './checkout.service';
import { fulfilmentService } from './fulfilment.service';
import { orderExpiryService } from './order-expiry.service';
import { createOrderUpdatesService, type OrderUpdatesServiceDeps } from './order-updates.service';
import { createOrderService, type OrderServiceDeps } from './order.service';
import { createShopOrderUpdatesService, type ShopOrderUpdatesServiceDeps } from './shop-order-updates.service';
import { shopOrdersService } from './shop-orders.service';
import { ORDER_NOTIFY_CHANNEL, ORDER_TOPIC } from './order-events';
import { OrderLine } from './order-line.entity';
import { createOrderUpdatesHub } from './order-updates.hub';
import { Order } from './order.entity';
import { orderCron } from './order-job-names';
import { orderTasks, type OrderJobDeps } from './order.jobs';
import { createOrderLoaders } from './order.loaders';
import { orderRules } from './order.rules';
import { Shipment } from './shipment.entity';
import { createShopOrderUpdatesHub } from './shop-order-updates.hub';
import { defineModule } from '../../shared/module-manifest';

/** Checkout, orders and their reservations, the artisans' shipments, and the live order feeds. */
export const ordersModule = defineModule({
  name: 'orders',
  entities: [Order, OrderLine, Address, Shipment],
  resolvers: [
    FulfilmentResolver, ShopOrdersResolver, ShopOrderFieldsResolver, ShopOrderUpdatesResolver,
    OrderFieldsResolver, OrderLineFieldsResolver, ShipmentFieldsResolver, OrderUpdatesResolver, OrderResolver,
  ],
  rules: orderRules,
  loaders: createOrderLoaders,
  services: (deps: CheckoutDeps & OrderServiceDeps & OrderUpdatesServiceDeps & ShopOrderUpdatesServiceDeps) => ({
    checkoutService: createCheckoutService(deps),
    orderService: createOrderService(deps),
    orderExpiryService,
    fulfilmentService,
    shopOrdersService,
    orderUpdatesService: createOrderUpdatesService(deps),
    shopOrderUpdatesService: createShopOrderUpdatesService(deps),
  }),
  // Reached at call time: order.jobs.ts makes system scopes, whose module imports the list of modules (this one).
  jobs: { tasks: (deps: OrderJobDeps) => orderTasks(deps), cron: orderCron },
  live: {
    hubs: ({ metrics, ...deps }: LiveHubDeps) => ({
      orders: createOrderUpdatesHub({ ...deps, onDelivered: (subscribers) => metrics?.liveEventsDelivered.inc({ topic: 'order' }, subscribers) }),
      /** The shops' live order feeds (ShopOrderUpdates), from the same order notifications. */
      shopOrders: createShopOrderUpdatesHub(deps),
    }),
    relay: { [ORDER_NOTIFY_CHANNEL]: ORDER_TOPIC },
  },
});
