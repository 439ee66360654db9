import { describe, expect, it } from '@jest/globals';
import * as argon2 from 'argon2';
import { ARGON2_OPTIONS, hashPassword, passwordNeedsRehash, verifyPassword } from '../../../src/modules/accounts/password-hashing';

describe('password hashing', () => {
  it('should use argon2id with at least OWASP minimum parameters (19 MiB, 2 passes, 1 lane)', () => {
    expect(ARGON2_OPTIONS.type).toBe(argon2.argon2id);
    expect(ARGON2_OPTIONS.memoryCost).toBeGreaterThanOrEqual(19_456);
    expect(ARGON2_OPTIONS.timeCost).toBeGreaterThanOrEqual(2);
    expect(ARGON2_OPTIONS.parallelism).toBeGreaterThanOrEqual(1);
  });

  it('should verify the right password and refuse a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash.startsWith('$argon2id$')).toBe(true);
    await expect(verifyPassword(hash, 'correct horse battery')).resolves.toBe(true);
    await expect(verifyPassword(hash, 'correct horse battery!')).resolves.toBe(false);
  });

  it('should answer false, without throwing, when there is no hash or it is not argon2', async () => {
    await expect(verifyPassword(null, 'anything at all')).resolves.toBe(false);
    await expect(verifyPassword('!', 'anything at all')).resolves.toBe(false);
    await expect(verifyPassword('$argon2id$garbage', 'anything at all')).resolves.toBe(false);
  });

  it('should still spend a verification when there is no hash, so that timing does not reveal it', async () => {
    const hash = await hashPassword('correct horse battery');
    await verifyPassword(null, 'warm-up');
    const time = async (work: () => Promise<unknown>) => {
      const started = process.hrtime.bigint();
      await work();
      return Number(process.hrtime.bigint() - started);
    };
    // One sample of each was at the mercy of the scheduler (CI once saw 0.35 on a loaded machine): the median of
    // five interleaved samples of each compares the work done, not the moment.
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const reals: number[] = [];
    const nones: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      reals.push(await time(() => verifyPassword(hash, 'wrong password')));
      nones.push(await time(() => verifyPassword(null, 'wrong password')));
    }
    expect(median(nones) / median(reals)).toBeGreaterThan(0.4);
  });

  it('should ask for a rehash of hashes made with weaker parameters', async () => {
    const weak = await argon2.hash('correct horse battery', { type: argon2.argon2id, memoryCost: 4_096, timeCost: 1, parallelism: 1 });
    expect(passwordNeedsRehash(weak)).toBe(true);
    expect(passwordNeedsRehash(await hashPassword('correct horse battery'))).toBe(false);
  });
});
