import { describe, expect, it } from '@jest/globals';
import { RateLimitedError } from '../../../src/graphql/errors';
import { createLoginLimiter } from '../../../src/modules/accounts/login-limiter';

const limits = { failuresPerAccount: 3, failuresPerAddress: 5, windowSeconds: 60, redis: null };

async function attempts(count: number, attempt: () => Promise<void>): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < count; i += 1) {
    outcomes.push(await attempt().then(() => 'allowed', (error: unknown) => (error instanceof RateLimitedError ? 'limited' : 'error')));
  }
  return outcomes;
}

describe('the login limiter (in memory)', () => {
  it('should allow as many attempts per account as the limit, then refuse with a retry delay', async () => {
    const limiter = createLoginLimiter(limits);
    expect(await attempts(4, () => limiter.attempt('ana@example.com', '10.0.0.1'))).toEqual(['allowed', 'allowed', 'allowed', 'limited']);
    const refusal = await limiter.attempt('ana@example.com', '10.0.0.2').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RateLimitedError);
    const seconds = (refusal as RateLimitedError).extensions.retryAfterSeconds as number;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
  });

  it('should limit an address across accounts', async () => {
    const limiter = createLoginLimiter(limits);
    const outcomes = await attempts(6, async () => limiter.attempt(`user${Math.random()}@example.com`, '10.0.0.9'));
    expect(outcomes).toEqual(['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 'limited']);
    await expect(limiter.attempt('someone@example.com', '10.0.0.10')).resolves.toBeUndefined();
  });

  it("should start an account's count again after a success, and give the address its attempt back", async () => {
    const limiter = createLoginLimiter(limits);
    await attempts(2, () => limiter.attempt('ana@example.com', '10.0.0.1'));
    await limiter.succeeded('ana@example.com', '10.0.0.1');
    expect(await attempts(3, () => limiter.attempt('ana@example.com', '10.0.0.1'))).toEqual(['allowed', 'allowed', 'allowed']);
  });
});
