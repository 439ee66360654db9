import type { RequestContext } from '../request-context';
import { toConnection, type Connection, type PageRequest } from '../../shared/pagination';
import { runSql } from '../../shared/sql';
import type { OrderStatus } from './order-status';
import { Order } from './order.entity';
import type { ShopOrder } from './shop-order.types';

/** A shop's orders: the orders that hold its products, each seen as the shop's part (`ShopOrder`). */
export const shopOrdersService = {
  /**
   * The orders holding `shopId`'s products, newest first (keyset on the UUIDv7 order id), in one statement: the
   * (shop_id, order_id) index of order lines read backwards, each order joined once (`distinct on`), so that a
   * page costs the same at the shop's first order as at its ten-thousandth. The orders are put in the request's
   * EntityManager, where the nodes' loaders find them without another statement.
   */
  async list(ctx: RequestContext, shopId: string, page: PageRequest, status: OrderStatus | null): Promise<Connection<ShopOrder>> {
    const filters = [page.afterId ? 'and l.order_id < ?' : '', status ? 'and o.status = ?::order_status' : ''].join(' ');
    const params = [shopId, ...(page.afterId ? [page.afterId] : []), ...(status ? [status] : [])];
    const rows = await runSql<Record<string, unknown>>(
      ctx.em,
      `select distinct on (l.order_id) o.*
         from order_line l join customer_order o on o.id = l.order_id
        where l.shop_id = ? ${filters}
        order by l.order_id desc
        limit ?`,
      [...params, page.first + 1],
    );
    const nodes = rows.map((row) => {
      const order = ctx.em.map(Order, row);
      return { id: order.id, shopId };
    });
    return toConnection({
      rows: nodes,
      first: page.first,
      count: async () => {
        const [count] = await runSql<{ n: number }>(
          ctx.em,
          `select count(distinct l.order_id)::int as n from order_line l join customer_order o on o.id = l.order_id
            where l.shop_id = ? ${status ? 'and o.status = ?::order_status' : ''}`,
          [shopId, ...(status ? [status] : [])],
        );
        return count?.n ?? 0;
      },
      afterId: page.afterId,
      // Relay's hasPreviousPage: an order of the shop (with the status asked) at or after the cursor.
      precedes: async (afterId) =>
        (
          await runSql(
            ctx.em,
            `select 1 from order_line l join customer_order o on o.id = l.order_id
              where l.shop_id = ? and l.order_id >= ? ${status ? 'and o.status = ?::order_status' : ''} limit 1`,
            [shopId, afterId, ...(status ? [status] : [])],
          )
        ).length > 0,
    });
  },
};
