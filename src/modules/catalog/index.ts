/**
 * The catalog module's public entry: all that other modules may use of it (ESLint refuses their imports of its files).
 * The app's own layers (schema, HTTP, worker) and the list of modules read its manifest and files directly.
 */
export type { ProductRecord, ShopRecord } from './catalog-records';
export { catalogChanged } from './catalog-version';
export type { CatalogVersion } from './catalog-version';
export { Product } from './product.entity';
export { Shop } from './shop.entity';
