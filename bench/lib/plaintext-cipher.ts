import { createHash, timingSafeEqual } from 'node:crypto';
import type { PersonalDataCipher } from '../../src/infra/encryption/personal-data';

/**
 * The benchmark's cipher that does not encrypt: a value is stored as it is given, and a blind index is a bare
 * SHA-256 (what the checkout fingerprint was before personal data was encrypted). Given only to the server that
 * `npm run bench -- checkout` compares with the real one (`server-without-encryption.ts`): the difference between
 * the two is what encryption costs. No setting of the real server can select it.
 */
export const plaintextCipher: PersonalDataCipher = {
  currentKeyId: 'plaintext',
  seal: (plaintext) => plaintext,
  open: (stored) => stored,
  blindIndex: (purpose, value) => `plaintext:${sha256(purpose, value)}`,
  matchesBlindIndex(index, purpose, value) {
    const expected = Buffer.from(`plaintext:${sha256(purpose, value)}`);
    const actual = Buffer.from(index);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  },
};

function sha256(purpose: string, value: string): string {
  return createHash('sha256').update(`${purpose}\0${value}`).digest('base64url');
}
