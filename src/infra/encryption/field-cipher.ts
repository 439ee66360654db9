import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { KeyRingSpec } from '../../config/key-ring';

/**
 * Authenticated encryption of single values at rest: AES-256-GCM (Node's `crypto`), a fresh random 96-bit nonce
 * per value, and associated data naming where the value lives (`table.column:rowId`), so that a ciphertext copied
 * to another row or column fails to open. A sealed value is text:
 *
 *     ev1.<key id>.<base64url(nonce ‖ ciphertext ‖ 16-byte tag)>
 *
 * The key id says which key of the ring opens it; sealing always uses the ring's current key, and rotation
 * (`npm run rotate-keys`) re-seals values under older ones.
 */
const VERSION = 'ev1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed value that cannot be opened: unknown key id, malformed, or tampered with (authentication failed). */
export class SealedValueError extends Error {
  override readonly name = 'SealedValueError';
  constructor(
    message: string,
    /** The key id the value names, when it names one. */
    readonly keyId: string | null,
  ) {
    super(message);
  }
}

/** Where a sealed value lives: its associated data. */
export interface SealedLocation {
  table: string;
  column: string;
  rowId: string;
}

function associatedData(location: SealedLocation): Buffer {
  return Buffer.from(`${location.table}.${location.column}:${location.rowId}`, 'utf8');
}

/** The key id a sealed value names, or null when it is not a sealed value. */
export function keyIdOf(sealed: string): string | null {
  const parts = sealed.split('.');
  return parts.length === 3 && parts[0] === VERSION ? parts[1]! : null;
}

/** Seals and opens values with a key ring; computes blind indexes. Built once per process (see `personal-data.ts`). */
export class FieldCipher {
  /**
   * The ring's keys as KeyObjects, made once: given as bytes, every call imports the key again, which on Node 24
   * (OpenSSL 3.5) made sealing an address and a blind index several times dearer than the cipher itself.
   */
  private readonly sealingKeys = new Map<string, KeyObject>();
  private readonly blindIndexKeys = new Map<string, KeyObject>();

  constructor(private readonly ring: KeyRingSpec) {
    for (const [id, key] of ring.keys) {
      this.sealingKeys.set(id, createSecretKey(key));
      // A separate key for the blind index, derived so that one secret per id is enough (HKDF-SHA-256).
      this.blindIndexKeys.set(id, createSecretKey(Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'atelier blind index v1', 32))));
    }
  }

  /** The id of the key new values are sealed with. */
  get currentKeyId(): string {
    return this.ring.current;
  }

  /** Encrypts `plaintext` for `location` under the current key. */
  seal(plaintext: string, location: SealedLocation): string {
    const key = this.sealingKeys.get(this.ring.current)!;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(associatedData(location));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const sealed = Buffer.concat([nonce, body, cipher.getAuthTag()]);
    return `${VERSION}.${this.ring.current}.${sealed.toString('base64url')}`;
  }

  /** Decrypts a value sealed for `location`. Throws {@link SealedValueError} when it cannot. */
  open(sealed: string, location: SealedLocation): string {
    const keyId = keyIdOf(sealed);
    if (!keyId) throw new SealedValueError('not a sealed value', null);
    const key = this.sealingKeys.get(keyId);
    if (!key) throw new SealedValueError(`no key "${keyId}" in the key ring`, keyId);
    const bytes = Buffer.from(sealed.slice(VERSION.length + keyId.length + 2), 'base64url');
    if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new SealedValueError('sealed value too short', keyId);
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES));
    decipher.setAAD(associatedData(location));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealedValueError('authentication failed: the value was altered, moved from another row, or sealed with another key of that id', keyId);
    }
  }

  /**
   * A keyed blind index (HMAC-SHA-256) of `value` for equality lookups without the plaintext:
   * `<key id>:<base64url>`. `purpose` separates indexes of different things.
   */
  blindIndex(purpose: string, value: string): string {
    return `${this.ring.current}:${this.hmac(this.ring.current, purpose, value)}`;
  }

  /** Whether `index` is the blind index of `value`, under the key it names (which need not be the current one). */
  matchesBlindIndex(index: string, purpose: string, value: string): boolean {
    const separator = index.indexOf(':');
    if (separator < 0) return false;
    const keyId = index.slice(0, separator);
    if (!this.blindIndexKeys.has(keyId)) return false;
    const expected = Buffer.from(this.hmac(keyId, purpose, value));
    const actual = Buffer.from(index.slice(separator + 1));
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  private hmac(keyId: string, purpose: string, value: string): string {
    return createHmac('sha256', this.blindIndexKeys.get(keyId)!).update(`${purpose}\0${value}`).digest('base64url');
  }
}
