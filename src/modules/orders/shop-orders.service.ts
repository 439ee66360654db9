import type { ServiceScope } from '../service-scope';
import { sqlKeysetPage } from '../../shared/keyset-page';
import type { Connection, PageRequest } from '../../shared/pagination';
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
  async list(ctx: ServiceScope, shopId: string, page: PageRequest, status: OrderStatus | null): Promise<Connection<ShopOrder>> {
    const where = { text: `l.shop_id = ? ${status ? 'and o.status = ?::order_status' : ''}`, params: [shopId, ...(status ? [status] : [])] };
    const from = 'order_line l join customer_order o on o.id = l.order_id';
    return sqlKeysetPage(ctx.em, page, {
      columns: { text: 'distinct on (l.order_id) o.*', params: [] },
      from,
      where,
      key: 'l.order_id',
      toNode: (row: Record<string, unknown>) => {
        const order = ctx.em.map(Order, row);
        return { id: order.id, shopId };
      },
      count: async () => {
        const [count] = await runSql<{ n: number }>(
          ctx.em,
          `select count(distinct l.order_id)::int as n from ${from} where ${where.text}`,
          where.params,
        );
        return count?.n ?? 0;
      },
    });
  },
};

export type ShopOrdersService = typeof shopOrdersService;
