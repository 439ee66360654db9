import type { ServiceScope } from '../service-scope';
import { NotFoundError } from '../../shared/errors';
import { isId } from '../../shared/ids';
import { sqlKeysetPage } from '../../shared/keyset-page';
import type { Connection, PageRequest } from '../../shared/pagination';
import { runSql } from '../../shared/sql';
import { Role, UserStatus, type Viewer } from '../accounts';
import { StockMovement } from './stock-movement.entity';

/** Who may read a product's stock ledger: its shop's artisan (still an active ARTISAN), ADMIN and SUPPORT. */
export function canReadStockLedger(viewer: Viewer | null, shopOwnerId: string): boolean {
  if (!viewer || viewer.status !== UserStatus.ACTIVE) return false;
  if (viewer.role === Role.ADMIN || viewer.role === Role.SUPPORT) return true;
  return viewer.role === Role.ARTISAN && viewer.userId === shopOwnerId;
}

/** Reading the stock ledger (`StockHistory`). Writing it is `stock-ledger.ts`'s alone. */
export const stockHistoryService = {
  /**
   * The product's movements, newest first. The order is the product's stock version (1, 2, 3… with no gap,
   * the order in which the changes committed), not the movement id: ids are drawn before the row lock is taken,
   * so two concurrent changes may draw them in the other order. The cursor is still the movement's id; the page
   * after it starts below that movement's version, read from the (product_id, version) unique index.
   * Anyone but the shop's artisan and staff: NOT_FOUND, as for no such product.
   */
  async list(ctx: ServiceScope, productId: string, page: PageRequest): Promise<Connection<StockMovement>> {
    const [product] = isId(productId)
      ? await runSql<{ owner_id: string }>(ctx.em, 'select s.owner_id from product p join shop s on s.id = p.shop_id where p.id = ?', [productId])
      : [];
    if (!product || !canReadStockLedger(ctx.viewer, product.owner_id)) throw new NotFoundError('Product');
    return sqlKeysetPage(ctx.em, page, {
      columns: { text: '*', params: [] },
      from: 'stock_movement',
      where: { text: 'product_id = ?', params: [productId] },
      // The stock version orders the list (see above); the cursor, a movement's id, stands for its version.
      key: 'version',
      keyAtCursor: { text: '(select version from stock_movement where id = ? and product_id = ?)', params: [productId] },
      toNode: (row: Record<string, unknown>) => ctx.em.map(StockMovement, row),
      count: async () => {
        const [count] = await runSql<{ n: number }>(ctx.em, 'select count(*)::int as n from stock_movement where product_id = ?', [productId]);
        return count?.n ?? 0;
      },
    });
  },
};

export type StockHistoryService = typeof stockHistoryService;
