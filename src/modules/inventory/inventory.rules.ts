import { allow } from 'graphql-shield';
import { openFields, type RuleTree } from '../../graphql/permissions-tree';
import { hasRole } from '../accounts/auth.rules';
import { Role } from '../accounts/user.entity';

export const inventoryRules: RuleTree = {
  // Ownership of the product's shop is checked by the service (it needs the product).
  Mutation: { adjustStock: hasRole(Role.ARTISAN, Role.ADMIN) },
  // Stock levels are public in the catalogue; watching them is too. Checked in `subscribe`, see live-stock.service.ts.
  Subscription: { stockChanged: allow },
  StockChange: openFields(['productId', 'available', 'delta', 'reason', 'version', 'at', 'product']),
};
