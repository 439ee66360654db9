import { Role, type Viewer } from '../accounts';

/** Who may read an order: its buyer, ADMIN and SUPPORT. To anyone else it does not exist (NOT_FOUND). */
export function canReadOrder(viewer: Viewer, order: { buyer: { id: string } }): boolean {
  return order.buyer.id === viewer.userId || viewer.role === Role.ADMIN || viewer.role === Role.SUPPORT;
}

/** Who may cancel an order: its buyer and ADMIN (SUPPORT reads but changes nothing). */
export function canCancelOrder(viewer: Viewer, order: { buyer: { id: string } }): boolean {
  return order.buyer.id === viewer.userId || viewer.role === Role.ADMIN;
}

