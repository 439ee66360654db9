import { allow } from 'graphql-shield';
import { openFields, type RuleTree } from '../../shared/rule-tree';
import { hasRole, isAuthenticated, Role } from '../accounts';

export const inventoryRules: RuleTree = {
  // Ownership of the product's shop is checked by the service (it needs the product).
  Mutation: { adjustStock: hasRole(Role.ARTISAN, Role.ADMIN) },
  // Who reads which product's ledger is decided by the service (NOT_FOUND to anyone but its artisan and staff).
  Query: { stockMovements: isAuthenticated },
  StockMovement: openFields(['id', 'delta', 'reason', 'note', 'available', 'version', 'at', 'orderNumber', 'actor']),
  StockMovementConnection: openFields(['edges', 'pageInfo', 'totalCount']),
  StockMovementEdge: openFields(['cursor', 'node']),
  // Stock levels are public in the catalogue; watching them is too. Checked in `subscribe`, see live-stock.service.ts.
  Subscription: { stockChanged: allow },
  StockChange: openFields(['productId', 'available', 'delta', 'reason', 'version', 'at', 'product']),
};
