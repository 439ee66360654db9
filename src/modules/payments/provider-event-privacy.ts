/**
 * Keys of a provider event's objects that say who paid rather than what happened to the payment: the cardholder's
 * billing details that the payment form collected (name, email, postal address, phone), a shipping address, a receipt
 * email, a checkout's customer details. Payments read none of them (see `payment-transitions.ts`), and the Atelier
 * never sends them (the address it ships to is sealed on the order).
 */
const PERSONAL_KEYS = new Set([
  'billing_details', 'shipping', 'receipt_email', 'customer_details',
  'customer_email', 'customer_name', 'customer_phone', 'customer_address',
  'email', 'name', 'phone', 'address',
]);

/**
 * `event` as `payment_event.payload` keeps it: the raw event, for operators, with every personal key above, at any
 * depth, blanked to null. The payload is kept RETENTION_PAYMENT_EVENT_PAYLOAD_DAYS and is no account's: deleting an
 * account could not find the payer's details in it, so they are never stored.
 */
export function withoutPersonalData<T>(event: T): T {
  return blank(event) as T;
}

function blank(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(blank);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, PERSONAL_KEYS.has(key) ? null : blank(inner)]));
}
