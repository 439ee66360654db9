/**
 * The operation names of the contract (tests/contract/*.graphql; a unit test keeps this list equal to them). Only
 * these become a metric's `operation` label: a client's operation name is free text, and once 200 requests with
 * 20 kB names grew `/metrics` to 4 MB and the heap by 25 MB, kept for the life of the process.
 */
export const CONTRACT_OPERATIONS: ReadonlySet<string> = new Set([
  'AddToCart', 'AdjustStock', 'BanUser', 'CancelOrder', 'Catalog', 'Categories', 'ChangePassword', 'Checkout',
  'CreateProduct', 'CreateShop', 'DeleteMyAccount', 'FulfilOrder', 'LiveStock', 'LogIn', 'LogOut', 'Me', 'MyCart',
  'MyOrders', 'MyShop', 'Order', 'OrderUpdates', 'ProductBySlug', 'RefreshSession', 'RefreshSessionWithCookie',
  'RequestPasswordReset', 'ResetPassword', 'SetCartLineQuantity', 'SetUserRole', 'ShopBySlug', 'ShopOrderUpdates',
  'ShopOrders', 'Shops', 'SignUp', 'StockHistory', 'UnbanUser', 'UpdateProduct', 'UpdateShop', 'Users',
]);

/** The `operation` label of a metric: a contract operation's name, `anonymous` without a name, `other` for any other. */
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  return CONTRACT_OPERATIONS.has(name) ? name : 'other';
}
