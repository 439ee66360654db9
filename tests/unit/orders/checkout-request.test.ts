import { describe, expect, it } from '@jest/globals';
import { checkoutFingerprint, formatOrderNumber, normalizeAddress } from '../../../src/modules/orders/checkout-request';

const address = normalizeAddress({ name: ' Ana ', line1: '1 rue A', line2: '  ', city: 'Lyon', postalCode: '69001', country: 'fr', phone: null });

describe('checkout requests', () => {
  it('should store addresses trimmed, with an upper-case country and no empty optional part', () => {
    expect(address).toEqual({ name: 'Ana', line1: '1 rue A', line2: null, city: 'Lyon', postalCode: '69001', country: 'FR', phone: null });
  });

  it('should fingerprint the same cart the same whatever the order of its lines', () => {
    const a = checkoutFingerprint([{ productId: 'x', quantity: 1 }, { productId: 'y', quantity: 2 }], address);
    const b = checkoutFingerprint([{ productId: 'y', quantity: 2 }, { productId: 'x', quantity: 1 }], address);
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should fingerprint another quantity, product or address differently', () => {
    const base = checkoutFingerprint([{ productId: 'x', quantity: 1 }], address);
    expect(checkoutFingerprint([{ productId: 'x', quantity: 2 }], address)).not.toBe(base);
    expect(checkoutFingerprint([{ productId: 'z', quantity: 1 }], address)).not.toBe(base);
    expect(checkoutFingerprint([{ productId: 'x', quantity: 1 }], { ...address, postalCode: '69002' })).not.toBe(base);
  });

  it('should format order numbers as AT- and at least six digits', () => {
    expect(formatOrderNumber(1001)).toBe('AT-001001');
    expect(formatOrderNumber(1234567)).toBe('AT-1234567');
  });
});
