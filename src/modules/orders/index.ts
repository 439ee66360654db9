/**
 * The orders module's public entry: all that other modules may use of it (ESLint refuses their imports of its files).
 * The app's own layers (schema, HTTP, worker) and the list of modules read its manifest and files directly.
 */
export { rotateOrderBatch } from './order-address-rotation';
export { notifyOrderUpdated } from './order-events';
export { OrderStatus, isAwaitingPayment } from './order-status';
export { Order } from './order.entity';
export { openOrderAddress } from './sealed-address';
