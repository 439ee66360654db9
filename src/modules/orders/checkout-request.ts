import { createHash } from 'node:crypto';
import type { Address } from './address';
import type { AddressInput } from './checkout.inputs';

/** A cart line as checkout sees it. */
export interface CheckoutLine {
  productId: string;
  quantity: number;
}

/** The address as it is stored: trimmed, country upper-cased, empty optional parts as null. */
export function normalizeAddress(input: AddressInput): Address {
  const optional = (value: string | null | undefined) => (value && value.trim() ? value.trim() : null);
  return {
    name: input.name.trim(),
    line1: input.line1.trim(),
    line2: optional(input.line2),
    city: input.city.trim(),
    postalCode: input.postalCode.trim(),
    country: input.country.trim().toUpperCase(),
    phone: optional(input.phone),
  };
}

/**
 * What an idempotency key stands for: the cart's lines (order-independent) and the shipping address.
 * The same key with another fingerprint is a CONFLICT.
 */
export function checkoutFingerprint(lines: CheckoutLine[], address: Address): string {
  const canonical = JSON.stringify({
    lines: [...lines].sort((a, b) => (a.productId < b.productId ? -1 : 1)).map((line) => [line.productId, line.quantity]),
    address: [address.name, address.line1, address.line2, address.city, address.postalCode, address.country, address.phone],
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** `AT-001042`: the sequence's number, zero-padded to six digits at least. */
export function formatOrderNumber(sequenceValue: number): string {
  return `AT-${String(sequenceValue).padStart(6, '0')}`;
}
