import { openPersonalData, sealPersonalData } from '../../infra/encryption/personal-data';
import type { SealedLocation } from '../../infra/encryption/field-cipher';
import type { Address } from './address';

/**
 * An order's shipping address at rest: every field (recipient's name, lines, city, postal code, country, phone) in
 * one AES-256-GCM sealed value, column `customer_order.shipping_address`, bound to the order's id. Everything that
 * reads an address goes through {@link openOrderAddress}: `order.shippingAddress` for entities, this function for
 * rows read with SQL.
 */
export const ORDER_ADDRESS_COLUMN = { table: 'customer_order', column: 'shipping_address' } as const;

export function orderAddressLocation(orderId: string): SealedLocation {
  return { ...ORDER_ADDRESS_COLUMN, rowId: orderId };
}

/** The sealed form of `address` for the order `orderId`. */
export function sealOrderAddress(orderId: string, address: Address): string {
  const plain: Address = {
    name: address.name,
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city,
    postalCode: address.postalCode,
    country: address.country,
    phone: address.phone ?? null,
  };
  return sealPersonalData(JSON.stringify(plain), orderAddressLocation(orderId));
}

/** Opens the sealed address of order `orderId`; throws (after logging the row and key id) when it cannot. */
export function openOrderAddress(orderId: string, sealed: string): Address {
  return JSON.parse(openPersonalData(sealed, orderAddressLocation(orderId))) as Address;
}
