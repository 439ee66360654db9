import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../shared/loaders';
import { Payment } from '../payments';
import { OrderLine } from './order-line.entity';
import { Order } from './order.entity';
import { Shipment } from './shipment.entity';

/** Per-request loaders of orders: a page of orders loads its lines, shipments and payments in one statement each. */
export function createOrderLoaders(em: EntityManager) {
  return {
    orderById: byIdLoader(em, Order),

    linesOfOrder: new DataLoader<string, OrderLine[]>(async (orderIds) => {
      const lines = await em.find(OrderLine, { order: { $in: [...orderIds] } }, { orderBy: { id: 'asc' } });
      const byOrder = new Map<string, OrderLine[]>();
      for (const line of lines) byOrder.set(line.order.id, [...(byOrder.get(line.order.id) ?? []), line]);
      return orderIds.map((id) => byOrder.get(id) ?? []);
    }),

    shipmentsOfOrder: new DataLoader<string, Shipment[]>(async (orderIds) => {
      const shipments = await em.find(Shipment, { order: { $in: [...orderIds] } }, { orderBy: { shippedAt: 'asc', id: 'asc' } });
      const byOrder = new Map<string, Shipment[]>();
      for (const shipment of shipments) byOrder.set(shipment.order.id, [...(byOrder.get(shipment.order.id) ?? []), shipment]);
      return orderIds.map((id) => byOrder.get(id) ?? []);
    }),

    paymentOfOrder: new DataLoader<string, Payment | null>(async (orderIds) => {
      // refresh: the payment's intent is written outside the request's EntityManager, after checkout committed.
      const payments = await em.find(Payment, { order: { $in: [...orderIds] } }, { refresh: true });
      const byOrder = new Map(payments.map((payment) => [payment.order.id, payment]));
      return orderIds.map((id) => byOrder.get(id) ?? null);
    }),
  };
}
