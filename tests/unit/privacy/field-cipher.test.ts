import { describe, expect, it } from '@jest/globals';
import { parseKeyRing } from '../../../src/config/key-ring';
import { FieldCipher, SealedValueError, keyIdOf } from '../../../src/infra/encryption/field-cipher';
import { keyRingJson } from '../../utils/encryption';

const here = { table: 'customer_order', column: 'shipping_address', rowId: '0190a0a0-0000-7000-8000-000000000001' };
const elsewhere = { ...here, rowId: '0190a0a0-0000-7000-8000-000000000002' };

describe('FieldCipher (AES-256-GCM, per-value nonce, row id as associated data)', () => {
  const ringA = keyRingJson('a');
  const cipher = new FieldCipher(parseKeyRing(ringA));

  it('should seal equal plaintexts differently, name the key, and open them back', () => {
    const one = cipher.seal('Ana Lima, 12 rue des Potiers', here);
    const two = cipher.seal('Ana Lima, 12 rue des Potiers', here);
    expect(one).not.toBe(two);
    expect(one).not.toContain('Ana');
    expect(keyIdOf(one)).toBe('a');
    expect(cipher.open(one, here)).toBe('Ana Lima, 12 rue des Potiers');
    expect(cipher.open(two, here)).toBe('Ana Lima, 12 rue des Potiers');
  });

  it('should refuse to open a value moved to another row or column', () => {
    const sealed = cipher.seal('secret', here);
    expect(() => cipher.open(sealed, elsewhere)).toThrow(SealedValueError);
    expect(() => cipher.open(sealed, { ...here, column: 'other' })).toThrow(SealedValueError);
  });

  it('should refuse an altered value, and say which key it names', () => {
    const sealed = cipher.seal('secret', here);
    // Not the last character: its low bits may be base64 padding, which decodes to the same bytes.
    const at = sealed.length - 4;
    const altered = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
    const error = (() => {
      try {
        cipher.open(altered, here);
      } catch (caught) {
        return caught as SealedValueError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(SealedValueError);
    expect(error?.keyId).toBe('a');
  });

  it('should open values of an older key after rotation, seal under the new one, and fail once the old key is gone', () => {
    const old = cipher.seal('secret', here);
    const { keys } = JSON.parse(ringA) as { keys: Record<string, string> };
    const rotated = new FieldCipher(parseKeyRing(keyRingJson('b', keys)));
    expect(rotated.open(old, here)).toBe('secret');
    expect(keyIdOf(rotated.seal('secret', here))).toBe('b');
    const withoutA = new FieldCipher(parseKeyRing(keyRingJson('b')));
    expect(() => withoutA.open(old, here)).toThrow(/no key "a"/);
  });

  it('should give equal blind indexes for equal values under one key, and different ones otherwise', () => {
    expect(cipher.blindIndex('p', 'x')).toBe(cipher.blindIndex('p', 'x'));
    expect(cipher.blindIndex('p', 'x')).not.toBe(cipher.blindIndex('p', 'y'));
    expect(cipher.blindIndex('p', 'x')).not.toBe(cipher.blindIndex('q', 'x'));
    expect(new FieldCipher(parseKeyRing(keyRingJson('a'))).blindIndex('p', 'x')).not.toBe(cipher.blindIndex('p', 'x'));
    expect(cipher.matchesBlindIndex(cipher.blindIndex('p', 'x'), 'p', 'x')).toBe(true);
    expect(cipher.matchesBlindIndex(cipher.blindIndex('p', 'x'), 'p', 'y')).toBe(false);
  });
});

describe('DATA_ENCRYPTION_KEYS', () => {
  it('should refuse a ring whose current key is missing, a key of another size, or something not JSON', () => {
    expect(() => parseKeyRing('{"current":"x","keys":{}}')).toThrow(/current must name one of keys/);
    expect(() => parseKeyRing(JSON.stringify({ current: 'x', keys: { x: Buffer.alloc(16).toString('base64') } }))).toThrow(/32 bytes/);
    expect(() => parseKeyRing('not json')).toThrow(/must be JSON/);
  });
});
