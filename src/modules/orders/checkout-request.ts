import { personalDataCipher } from '../../infra/encryption/personal-data';
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

/** Separates checkout fingerprints from other blind indexes of the same key. */
const FINGERPRINT_PURPOSE = 'checkout-request';

function canonicalRequest(lines: CheckoutLine[], address: Address): string {
  return JSON.stringify({
    lines: [...lines].sort((a, b) => (a.productId < b.productId ? -1 : 1)).map((line) => [line.productId, line.quantity]),
    address: [address.name, address.line1, address.line2, address.city, address.postalCode, address.country, address.phone],
  });
}

/**
 * What an idempotency key stands for: the cart's lines (order-independent) and the shipping address, as a keyed
 * blind index (HMAC-SHA-256 under the personal data key ring), so that the stored fingerprint cannot be used to
 * guess the address. The same key with another fingerprint is a CONFLICT.
 */
export function checkoutFingerprint(lines: CheckoutLine[], address: Address): string {
  return personalDataCipher().blindIndex(FINGERPRINT_PURPOSE, canonicalRequest(lines, address));
}

/** Whether `fingerprint` (under whichever key of the ring it names) is that of these lines and address. */
export function checkoutFingerprintMatches(fingerprint: string, lines: CheckoutLine[], address: Address): boolean {
  return personalDataCipher().matchesBlindIndex(fingerprint, FINGERPRINT_PURPOSE, canonicalRequest(lines, address));
}

/** `AT-001042`: the sequence's number, zero-padded to six digits at least. */
export function formatOrderNumber(sequenceValue: number): string {
  return `AT-${String(sequenceValue).padStart(6, '0')}`;
}
