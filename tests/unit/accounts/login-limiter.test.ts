import { describe, expect, it } from '@jest/globals';
import { RateLimitedError } from '../../../src/shared/errors';
import { createLoginLimiter, type LoginLimiter } from '../../../src/modules/accounts/login-limiter';

const limits = { failuresPerAccount: 3, failuresPerAccountAndAddress: 2, failuresPerAddress: 5, windowSeconds: 60, redis: null };

/** One log-in that fails (wrong password) unless refused first: 'failed', or 'limited'. */
async function failedAttempt(limiter: LoginLimiter, email: string, address: string): Promise<string> {
  try {
    await limiter.attempt(email, address);
  } catch (error) {
    if (error instanceof RateLimitedError) return 'limited';
    throw error;
  }
  await limiter.failed(email, address);
  return 'failed';
}

async function failures(count: number, limiter: LoginLimiter, email: () => string, address: () => string): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < count; i += 1) outcomes.push(await failedAttempt(limiter, email(), address()));
  return outcomes;
}

describe('the login limiter (in memory)', () => {
  it('should refuse an (account, address) pair past its failures, with a retry delay', async () => {
    const limiter = createLoginLimiter(limits);
    expect(await failures(3, limiter, () => 'ana@example.com', () => '10.0.0.1')).toEqual(['failed', 'failed', 'limited']);
    const refusal = await limiter.attempt('ana@example.com', '10.0.0.1').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RateLimitedError);
    const seconds = (refusal as RateLimitedError).extensions.retryAfterSeconds as number;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
  });

  it('should let a clean address try an account past its failures, and refuse addresses that failed on it', async () => {
    const limiter = createLoginLimiter(limits);
    let n = 0;
    expect(await failures(3, limiter, () => 'ana@example.com', () => `10.0.1.${n++}`)).toEqual(['failed', 'failed', 'failed']);
    // The account is past its 3 failures: 10.0.1.0 failed on it, 10.0.9.9 never did (the owner).
    await expect(limiter.attempt('ana@example.com', '10.0.1.0')).rejects.toBeInstanceOf(RateLimitedError);
    await expect(limiter.attempt('ana@example.com', '10.0.9.9')).resolves.toBeUndefined();
  });

  it('should limit an address across accounts, counting refused attempts too', async () => {
    const limiter = createLoginLimiter(limits);
    const outcomes = await failures(6, limiter, () => `user${Math.random()}@example.com`, () => '10.0.0.9');
    expect(outcomes).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'limited']);
    await expect(limiter.attempt('someone@example.com', '10.0.0.10')).resolves.toBeUndefined();
  });

  it("should start a pair's count again after a success, and give the address its attempt back", async () => {
    const limiter = createLoginLimiter(limits);
    await failedAttempt(limiter, 'ana@example.com', '10.0.0.1');
    await limiter.attempt('ana@example.com', '10.0.0.1');
    await limiter.succeeded('ana@example.com', '10.0.0.1');
    expect(await failures(2, limiter, () => 'ana@example.com', () => '10.0.0.1')).toEqual(['failed', 'failed']);
  });
});
