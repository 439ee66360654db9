/**
 * The payments module's public entry: all that other modules may use of it (ESLint refuses their imports of its files).
 * The app's own layers (schema, HTTP, worker) and the list of modules read its manifest and files directly.
 */
export { endPaymentOfOrder, newOrderPayment } from './order-payments';
export { Payment, PaymentStatus } from './payment.entity';
export type { PaymentService, StoredIntent } from './payment.service';
export type { PaymentsRuntime } from './payments-runtime';
