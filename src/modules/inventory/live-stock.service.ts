import type { ServiceScope } from '../service-scope';
import { BadUserInputError, NotFoundError } from '../../shared/errors';
import { AsyncQueue } from '../../shared/async-queue';
import { isId } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import type { createLiveStockHub, StockSelection } from './live-stock.hub';
import type { Product } from '../catalog';
import type { StockChangedEvent } from './stock-events';

/** Products one LiveStock subscription may name at most. */
export const MAX_WATCHED_PRODUCTS = 100;
/** Events kept for a subscriber that reads too slowly; past it the oldest go (a version gap says so). */
const MAX_BUFFERED_EVENTS = 1_000;

export interface LiveStockArgs {
  productIds?: string[] | null;
  shopId?: string | null;
}

/** What the live stock service is made with. */
export interface LiveStockServiceDeps {
  /** This instance's live hubs: the subscriptions are the stock hub's watchers. */
  live: { stock: Pick<ReturnType<typeof createLiveStockHub>, 'watch' | 'productAt'> };
}

/**
 * The LiveStock subscription. Stock levels are public (the catalogue shows `available` to anyone), so anyone
 * may watch them; what is watched is either named products (at most 100) or one shop's products.
 */
export function createLiveStockService(deps: LiveStockServiceDeps) {
  return {
    async subscribe(ctx: ServiceScope, args: LiveStockArgs): Promise<AsyncIterable<StockChangedEvent>> {
      const selection = await checkSelection(ctx, args);
      const queue: AsyncQueue<StockChangedEvent> = new AsyncQueue({
        maxBuffered: MAX_BUFFERED_EVENTS,
        onClose: () => stop(),
        onOverflow: () => ctx.logger.warn('a LiveStock subscriber reads too slowly: dropped its oldest event'),
      });
      const stop = await deps.live.stock.watch(selection, (event) => queue.push(event));
      return queue;
    },

    /**
     * The product as it stood at `event`, for `StockChange.product`: read once per event by the hub, however many
     * subscribers select it (see `LiveStockHub.productAt`).
     */
    productAt(_ctx: ServiceScope, event: StockChangedEvent): Promise<Product> {
      return deps.live.stock.productAt(event);
    },
  };
}

export type LiveStockService = ReturnType<typeof createLiveStockService>;

async function checkSelection(ctx: ServiceScope, args: LiveStockArgs): Promise<StockSelection> {
  const { productIds, shopId } = args;
  if ((productIds == null) === (shopId == null)) {
    throw new BadUserInputError(productIds == null ? 'productIds' : 'shopId', 'Give either productIds or shopId, not both and not neither');
  }
  if (shopId != null) {
    const [shop] = isId(shopId) ? await runSql(ctx.em, 'select 1 from shop where id = ?', [shopId]) : [];
    if (!shop) throw new NotFoundError('Shop');
    return { shopId };
  }
  const ids = [...new Set(productIds ?? [])];
  if (!ids.length || ids.length > MAX_WATCHED_PRODUCTS) {
    throw new BadUserInputError('productIds', `productIds must name from 1 to ${MAX_WATCHED_PRODUCTS} products`);
  }
  const bad = ids.filter((id) => !isId(id));
  const rows = bad.length ? [] : await runSql<{ id: string }>(ctx.em, 'select id from product where id = any(?::uuid[])', [ids]);
  const found = new Set(rows.map((row) => row.id));
  const unknown = bad.length ? bad : ids.filter((id) => !found.has(id));
  if (unknown.length) throw new BadUserInputError('productIds', `Unknown products: ${unknown.join(', ')}`);
  return { productIds: ids };
}
