import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../../src/config/config';
import { parseKeyRing } from '../../../src/config/key-ring';
import { configuredKeyProvider, developmentFileKeyProvider } from '../../../src/infra/encryption/key-provider';
import { keyRingJson } from '../../utils/encryption';
import { recordingLogger } from '../../utils/logs';

/** The part of the configuration that chooses the key provider. */
function configWith(keyRing: string | null, isProduction: boolean, developmentKeyFile: string): Config {
  return { isProduction, dataEncryption: { keyRing: keyRing === null ? null : parseKeyRing(keyRing), developmentKeyFile } } as unknown as Config;
}

describe('where the keys of personal data come from (KeyProvider)', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'atelier-keys-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should generate a development ring once, keep it in its file (mode 0600) with a warning, and load the same ring afterwards', async () => {
    const file = join(dir, 'nested', 'data-encryption-keys.json');
    const first = recordingLogger();
    const generated = await developmentFileKeyProvider(file, first.logger).loadKeyRing();
    expect(generated.keys.get(generated.current)).toHaveLength(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(parseKeyRing(await readFile(file, 'utf8'))).toEqual(generated);
    const warning = first.lines.find((line) => line.level === 40);
    expect(warning).toMatchObject({ file, msg: expect.stringContaining('DATA_ENCRYPTION_KEYS is not set') });
    // No key material in the log.
    expect(JSON.stringify(first.lines)).not.toContain(generated.keys.get(generated.current)!.toString('base64'));

    const second = recordingLogger();
    expect(await developmentFileKeyProvider(file, second.logger).loadKeyRing()).toEqual(generated);
    expect(second.lines).toEqual([]);
  });

  it('should give processes that start together on a new file one and the same ring', async () => {
    const file = join(dir, 'data-encryption-keys.json');
    const rings = await Promise.all(Array.from({ length: 4 }, () => developmentFileKeyProvider(file, recordingLogger().logger).loadKeyRing()));
    for (const ring of rings) expect(ring).toEqual(rings[0]);
  });

  it('should refuse a kept file that is not a key ring, naming the file', async () => {
    const file = join(dir, 'data-encryption-keys.json');
    await writeFile(file, 'not json');
    await expect(developmentFileKeyProvider(file, recordingLogger().logger).loadKeyRing()).rejects.toThrow(file);
  });

  it('should use DATA_ENCRYPTION_KEYS when given, the development file only outside production, and refuse production without a ring', async () => {
    const file = join(dir, 'data-encryption-keys.json');
    const ring = keyRingJson('k1');
    const { logger } = recordingLogger();
    const fromEnvironment = configuredKeyProvider(configWith(ring, true, file), logger);
    expect(fromEnvironment.description).toBe('DATA_ENCRYPTION_KEYS');
    expect(await fromEnvironment.loadKeyRing()).toEqual(parseKeyRing(ring));

    expect(() => configuredKeyProvider(configWith(null, true, file), logger)).toThrow(/DATA_ENCRYPTION_KEYS is required in production/);
    const development = configuredKeyProvider(configWith(null, false, file), logger);
    expect(development.description).toBe(file);
  });
});
