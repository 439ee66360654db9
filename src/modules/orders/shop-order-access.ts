import { Role, UserStatus, type Viewer } from '../accounts';

/**
 * Who may see a shop's orders (`Shop.orders`, `shopOrderUpdated`): its owner while an active ARTISAN, and staff
 * (ADMIN, SUPPORT). Evaluated at every request and before every event of the live feed, so that a demoted or
 * banned artisan loses them at once.
 */
export function canSeeShopOrders(viewer: Viewer | null, shop: { owner: { id: string } }): boolean {
  if (!viewer || viewer.status !== UserStatus.ACTIVE) return false;
  if (viewer.role === Role.ADMIN || viewer.role === Role.SUPPORT) return true;
  return viewer.role === Role.ARTISAN && shop.owner.id === viewer.userId;
}
