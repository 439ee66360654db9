import { parseKeyRing } from '../../src/config/key-ring';
import type { FieldCipher } from '../../src/infra/encryption/field-cipher';
import { environmentKeyProvider } from '../../src/infra/encryption/key-provider';
import { hasPersonalDataCipher, installPersonalDataCipher } from '../../src/infra/encryption/personal-data';
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

/**
 * The run's cipher, installed unless a server in this process already installed one: for fixtures that seal values
 * while the servers run in child processes (which get the same ring, DATA_ENCRYPTION_KEYS, from global setup).
 */
export async function ensureTestCipher(): Promise<void> {
  if (!hasPersonalDataCipher()) await installTestCipher();
}
