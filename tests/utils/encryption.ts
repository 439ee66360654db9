import { parseKeyRing } from '../../src/config/key-ring';
import type { FieldCipher } from '../../src/infra/encryption/field-cipher';
import { environmentKeyProvider } from '../../src/infra/encryption/key-provider';
import { installPersonalDataCipher } from '../../src/infra/encryption/personal-data';
import { createLogger } from '../../src/infra/logger';
import { randomBytes } from 'node:crypto';

/** A key ring in DATA_ENCRYPTION_KEYS's JSON form: `current` first, then the other ids, each with a fresh key unless given. */
export function keyRingJson(current: string, keys: Record<string, string> = {}): string {
  return JSON.stringify({ current, keys: { [current]: keys[current] ?? randomBytes(32).toString('base64'), ...keys } });
}

/** Installs the process's cipher from `json` (default: the run's ring, see global setup), for tests without a server. */
export function installTestCipher(json = process.env.DATA_ENCRYPTION_KEYS ?? keyRingJson('unit')): Promise<FieldCipher> {
  return installPersonalDataCipher(environmentKeyProvider(parseKeyRing(json)), createLogger('silent'));
}
