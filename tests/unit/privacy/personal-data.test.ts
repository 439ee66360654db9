import { describe, expect, it } from '@jest/globals';
import { parseKeyRing } from '../../../src/config/key-ring';
import { SealedValueError } from '../../../src/infra/encryption/field-cipher';
import { environmentKeyProvider } from '../../../src/infra/encryption/key-provider';
import { installPersonalDataCipher, openPersonalData, sealPersonalData } from '../../../src/infra/encryption/personal-data';
import { keyRingJson } from '../../utils/encryption';
import { recordingLogger } from '../../utils/logs';

describe('opening personal data', () => {
  it('should log a value that fails to open with its table, row and key id, never its content, and throw', async () => {
    const { logger, lines } = recordingLogger();
    await installPersonalDataCipher(environmentKeyProvider(parseKeyRing(keyRingJson('k9'))), logger);
    const sealed = sealPersonalData('Ana Lima, 12 rue des Potiers', { table: 'customer_order', column: 'shipping_address', rowId: 'row-a' });
    expect(() => openPersonalData(sealed, { table: 'customer_order', column: 'shipping_address', rowId: 'row-b' })).toThrow(SealedValueError);
    const failure = lines.find((line) => line.msg === 'a sealed personal data value cannot be opened');
    expect(failure).toMatchObject({ level: 50, table: 'customer_order', column: 'shipping_address', rowId: 'row-b', keyId: 'k9' });
    expect(JSON.stringify(lines)).not.toContain('Ana');
    expect(JSON.stringify(lines)).not.toContain(sealed);
  });
});
