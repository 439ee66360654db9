import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Config } from '../../config/config';
import { formatKeyRing, parseKeyRing, type KeyRingSpec } from '../../config/key-ring';
import type { Logger } from '../logger';

/**
 * Where the keys of personal data at rest come from. The environment's key ring is one source; a cloud KMS would be
 * another (its `loadKeyRing` unwrapping data keys with the KMS at start-up), with nothing else to change.
 */
export interface KeyProvider {
  /** What it is, for logs: never key material. */
  readonly description: string;
  /** The ring: the current key id and every key that may open a stored value. Called once per process. */
  loadKeyRing(): Promise<KeyRingSpec>;
}

/** The ring given in `DATA_ENCRYPTION_KEYS`. */
export function environmentKeyProvider(ring: KeyRingSpec): KeyProvider {
  return { description: 'DATA_ENCRYPTION_KEYS', loadKeyRing: async () => ring };
}

/**
 * Outside production with no `DATA_ENCRYPTION_KEYS`: a ring generated once and kept in `file` (mode 0600), so
 * that what was sealed yesterday still opens today. Several processes starting together agree: the first to
 * create the file wins, the others read it.
 */
export function developmentFileKeyProvider(file: string, logger: Logger): KeyProvider {
  const path = resolve(file);
  return {
    description: path,
    async loadKeyRing() {
      try {
        return parseKeyRing(await readFile(path, 'utf8'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${path}: ${(error as Error).message}`);
      }
      const ring: KeyRingSpec = { current: `dev-${randomBytes(4).toString('hex')}`, keys: new Map() };
      (ring.keys as Map<string, Buffer>).set(ring.current, randomBytes(32));
      await mkdir(dirname(path), { recursive: true });
      try {
        await writeFile(path, formatKeyRing(ring), { flag: 'wx', mode: 0o600 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return parseKeyRing(await readFile(path, 'utf8'));
        throw error;
      }
      logger.warn({ file: path }, 'DATA_ENCRYPTION_KEYS is not set: generated a development key ring and kept it in this file (never in production)');
      return ring;
    },
  };
}

/** The provider the configuration asks for. Production always has `DATA_ENCRYPTION_KEYS` (the configuration refuses to start without it). */
export function configuredKeyProvider(config: Config, logger: Logger): KeyProvider {
  if (config.dataEncryption.keyRing) return environmentKeyProvider(config.dataEncryption.keyRing);
  if (config.isProduction) throw new Error('DATA_ENCRYPTION_KEYS is required in production');
  return developmentFileKeyProvider(config.dataEncryption.developmentKeyFile, logger);
}
