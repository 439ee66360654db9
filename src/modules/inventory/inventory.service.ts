import type { ServiceScope } from '../service-scope';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../shared/errors';
import { isId } from '../../shared/ids';
import { runSql } from '../../shared/sql';
import { Role, requireViewer } from '../accounts';
import { catalogChanged, type CatalogVersion, Product } from '../catalog';
import { applyStockChanges } from './stock-ledger';
import { StockReason } from './stock-reason';

/** The largest change one AdjustStock makes, either way. */
export const MAX_ADJUSTMENT = 1_000_000;
/**
 * The most stock one product may hold: the column is a 4-byte integer (2,147,483,647), and a restock past it was an
 * internal error. The margin leaves room for concurrent restocks, each at most {@link MAX_ADJUSTMENT}.
 */
export const MAX_STOCK = 1_000_000_000;
/** The longest free-text reason kept on the movement. */
export const MAX_REASON_LENGTH = 500;

/** What the inventory service is made with. */
export interface InventoryServiceDeps {
  /** This instance's catalogue version: a stock change bumps it at commit (read-your-writes, see `catalogChanged`). */
  catalogVersion: CatalogVersion;
}

/** Hand-made changes of stock (restocks, write-offs). Orders change it through the ledger in their own transactions. */
export function createInventoryService(deps: InventoryServiceDeps) {
  return {
    /**
     * AdjustStock: a restock (delta > 0, movement RESTOCK) or a write-off (delta < 0, movement ADJUSTMENT),
     * by the artisan who owns the product's shop, or an ADMIN. The free-text reason is kept on the movement
     * (`note`), with who made it (`actor`). Never below zero: that is refused with BAD_USER_INPUT on `delta`,
     * decided by the ledger's conditional update, not by the read that words the message.
     */
    async adjust(ctx: ServiceScope, productId: string, delta: number, reason: string): Promise<Product> {
      const viewer = requireViewer(ctx);
      if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > MAX_ADJUSTMENT) {
        throw new BadUserInputError('delta', `delta must be a whole number other than 0, from -${MAX_ADJUSTMENT} to ${MAX_ADJUSTMENT}`);
      }
      const note = reason.trim();
      if (!note || note.length > MAX_REASON_LENGTH) throw new BadUserInputError('reason', `reason must be 1 to ${MAX_REASON_LENGTH} characters`);

      const [product] = isId(productId)
        ? await runSql<{ owner_id: string; available: number }>(ctx.em, 'select s.owner_id, p.available from product p join shop s on s.id = p.shop_id where p.id = ?', [productId])
        : [];
      if (!product) throw new NotFoundError('Product');
      if (viewer.role !== Role.ADMIN && product.owner_id !== viewer.userId) {
        throw new ForbiddenError("Only the shop's artisan or an admin may adjust its stock");
      }
      if (delta > 0 && product.available + delta > MAX_STOCK) {
        throw new BadUserInputError('delta', `Available stock cannot go above ${MAX_STOCK}: ${product.available} available, delta ${delta}`);
      }

      const outcome = await ctx.em.transactional((em) =>
        applyStockChanges(
          em,
          [{ productId, delta, reason: delta > 0 ? StockReason.RESTOCK : StockReason.ADJUSTMENT, actorId: viewer.userId, note }],
          ctx.clock.now(),
        ),
      );
      // This instance's next catalogue read misses its cache.
      if (!outcome.refusedProductId) catalogChanged(ctx.em, deps.catalogVersion);
      if (outcome.refusedProductId) {
        const [now] = await runSql<{ available: number }>(ctx.em, 'select available from product where id = ?', [productId]);
        throw new BadUserInputError('delta', `Available stock cannot go below zero: ${now?.available ?? 0} available, delta ${delta}`);
      }
      return ctx.em.findOneOrFail(Product, productId, { refresh: true });
    },
  };
}

export type InventoryService = ReturnType<typeof createInventoryService>;
