import { InventoryResolver } from './inventory.resolver';
import { LiveStockResolver } from './live-stock.resolver';
import { StockChangeFieldsResolver } from './stock-change-fields.resolver';
import { StockHistoryResolver } from './stock-history.resolver';
import type { LiveHubDeps } from '../../infra/live-hub';
import { createInventoryService, type InventoryServiceDeps } from './inventory.service';
import { inventoryRules } from './inventory.rules';
import { createLiveStockService, type LiveStockServiceDeps } from './live-stock.service';
import { stockHistoryService } from './stock-history.service';
import { createLiveStockHub } from './live-stock.hub';
import { STOCK_NOTIFY_CHANNEL, STOCK_TOPIC } from './stock-events';
import { StockMovement } from './stock-movement.entity';
import { defineModule } from '../../shared/module-manifest';

/** The stock ledger, restocks, and the live stock (LiveStock). */
export const inventoryModule = defineModule({
  name: 'inventory',
  entities: [StockMovement],
  resolvers: [InventoryResolver, LiveStockResolver, StockChangeFieldsResolver, StockHistoryResolver],
  rules: inventoryRules,
  services: (deps: InventoryServiceDeps & LiveStockServiceDeps) => ({
    inventoryService: createInventoryService(deps),
    liveStockService: createLiveStockService(deps),
    stockHistoryService,
  }),
  live: {
    hubs: ({ metrics, ...deps }: LiveHubDeps) => ({
      stock: createLiveStockHub({
        ...deps,
        onDelivered: (event, subscribers) => {
          if (!metrics || !subscribers) return;
          metrics.liveEventsDelivered.inc({ topic: 'stock' }, subscribers);
          metrics.liveEventLag.observe({ topic: 'stock' }, Math.max(0, Date.now() - Date.parse(event.at)) / 1000);
        },
      }),
    }),
    relay: { [STOCK_NOTIFY_CHANNEL]: STOCK_TOPIC },
  },
});
