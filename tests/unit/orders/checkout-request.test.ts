import { beforeAll, describe, expect, it } from '@jest/globals';
import { checkoutFingerprint, checkoutFingerprintMatches, formatOrderNumber, normalizeAddress } from '../../../src/modules/orders/checkout-request';
import { installTestCipher, keyRingJson } from '../../utils/encryption';

const address = normalizeAddress({ name: ' Ana ', line1: '1 rue A', line2: '  ', city: 'Lyon', postalCode: '69001', country: 'fr', phone: null });

const firstRing = keyRingJson('unit');
beforeAll(() => installTestCipher(firstRing));

describe('checkout requests', () => {
  it('should store addresses trimmed, with an upper-case country and no empty optional part', () => {
    expect(address).toEqual({ name: 'Ana', line1: '1 rue A', line2: null, city: 'Lyon', postalCode: '69001', country: 'FR', phone: null });
  });

  it('should fingerprint the same cart the same whatever the order of its lines', () => {
    const a = checkoutFingerprint([{ productId: 'x', quantity: 1 }, { productId: 'y', quantity: 2 }], address);
    const b = checkoutFingerprint([{ productId: 'y', quantity: 2 }, { productId: 'x', quantity: 1 }], address);
    expect(a).toBe(b);
    // A keyed blind index naming its key: never a bare hash that a dictionary of addresses could reverse.
    expect(a).toMatch(/^unit:[A-Za-z0-9_-]{43}$/);
  });

  it('should recognise a fingerprint made under an older key of the ring after the current key changed', async () => {
    const old = checkoutFingerprint([{ productId: 'x', quantity: 1 }], address);
    const { keys } = JSON.parse(firstRing) as { keys: Record<string, string> };
    await installTestCipher(keyRingJson('unit-2', keys));
    try {
      expect(checkoutFingerprint([{ productId: 'x', quantity: 1 }], address)).toMatch(/^unit-2:/);
      expect(checkoutFingerprintMatches(old, [{ productId: 'x', quantity: 1 }], address)).toBe(true);
      expect(checkoutFingerprintMatches(old, [{ productId: 'x', quantity: 2 }], address)).toBe(false);
    } finally {
      await installTestCipher(firstRing);
    }
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
