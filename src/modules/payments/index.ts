/**
 * The payments module's public entry: all that other modules may use of it (ESLint refuses their imports of its files).
 * The app's own layers (schema, HTTP, worker) and the list of modules read its manifest and files directly.
 *
 * Files that import nothing of other modules come first: a module that reads one of their values while it loads
 * (an enum in a zod schema) finds it even when it is itself loaded by the rest of this list (a cycle).
 */
export { PaymentStatus } from './payment-status';
export { endPaymentOfOrder, newOrderPayment } from './order-payments';
export { Payment } from './payment.entity';
export type { PaymentService, StoredIntent } from './payment.service';
export type { PaymentsRuntime } from './payments-runtime';
