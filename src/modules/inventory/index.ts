/**
 * The inventory module's public entry: all that other modules may use of it (ESLint refuses their imports of its files).
 * The app's own layers (schema, HTTP, worker) and the list of modules read its manifest and files directly.
 */
export { OutOfStockError } from './inventory.errors';
export { applyStockChanges, takeStockSql } from './stock-ledger';
export { StockReason } from './stock-reason';
