/**
 * The cart module's public entry: all that other modules may use of it (ESLint refuses their imports of its files).
 * The app's own layers (schema, HTTP, worker) and the list of modules read its manifest and files directly.
 */
export { cartCheckoutReadSql, cartCheckoutWriteSql, deleteCartOf } from './cart-access';
export type { CartCheckoutWriteSql } from './cart-access';
export { cartIdOf } from './cart.entity';
