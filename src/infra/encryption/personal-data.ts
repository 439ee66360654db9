import type { Logger } from '../logger';
import { FieldCipher, SealedValueError, keyIdOf, type SealedLocation } from './field-cipher';
import type { KeyProvider } from './key-provider';

/**
 * What the process seals and opens personal data with: {@link FieldCipher} (AES-256-GCM over the key ring), always,
 * in the server and the scripts. An interface so that the benchmark can run a server with a cipher that does not
 * encrypt, to measure what encryption costs (`bench/lib/plaintext-cipher.ts`); no setting turns encryption off.
 */
export type PersonalDataCipher = Pick<FieldCipher, 'currentKeyId' | 'seal' | 'open' | 'blindIndex' | 'matchesBlindIndex'>;

/**
 * The process's cipher of personal data. Process-wide on purpose: entities open their sealed columns in
 * getters (`order.shippingAddress`), where MikroORM gives no way to pass collaborators, and migrations seal
 * existing rows. Installed by `openConfiguredDatabase` before anything reads an entity.
 */
let installed: { cipher: PersonalDataCipher; logger: Logger } | null = null;

/** Loads the ring of `provider` and makes it the process's cipher. */
export async function installPersonalDataCipher(provider: KeyProvider, logger: Logger): Promise<FieldCipher> {
  const ring = await provider.loadKeyRing();
  const cipher = new FieldCipher(ring);
  usePersonalDataCipher(cipher, logger);
  logger.info({ keySource: provider.description, currentKeyId: ring.current, keyIds: [...ring.keys.keys()] }, 'personal data key ring loaded');
  return cipher;
}

/** Makes `cipher` the process's cipher (see {@link PersonalDataCipher}). */
export function usePersonalDataCipher(cipher: PersonalDataCipher, logger: Logger): void {
  installed = { cipher, logger: logger.child({ component: 'personal-data' }) };
}

/** Whether a cipher is installed (migrations of an empty database need none). */
export function hasPersonalDataCipher(): boolean {
  return installed !== null;
}

/** The process's cipher. Throws when none was installed (a script that skipped `openConfiguredDatabase`). */
export function personalDataCipher(): PersonalDataCipher {
  if (!installed) throw new Error('the personal data key ring is not loaded: open the database with openConfiguredDatabase');
  return installed.cipher;
}

/**
 * Opens a sealed value; one that fails to open is logged at error level with its row and key id (never a silent
 * blank) and the {@link SealedValueError} is thrown on, for the caller to turn into a field error.
 */
export function openPersonalData(sealed: string, location: SealedLocation): string {
  const { cipher, logger } = installed ?? { cipher: personalDataCipher(), logger: null };
  try {
    return cipher.open(sealed, location);
  } catch (error) {
    if (error instanceof SealedValueError) {
      logger?.error({ table: location.table, column: location.column, rowId: location.rowId, keyId: keyIdOf(sealed), reason: error.message }, 'a sealed personal data value cannot be opened');
    }
    throw error;
  }
}

/** Seals a value for its location under the current key. */
export function sealPersonalData(plaintext: string, location: SealedLocation): string {
  return personalDataCipher().seal(plaintext, location);
}
