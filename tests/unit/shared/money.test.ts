import { describe, expect, it } from '@jest/globals';
import { formatMoney } from '../../../src/shared/money';

describe('formatMoney', () => {
  it.each([
    [1_250, 'EUR', '€12.50'],
    [5, 'EUR', '€0.05'],
    [0, 'USD', '$0.00'],
    [123_456_789, 'GBP', '£1,234,567.89'],
    [1_500, 'JPY', '¥1,500'],
    [-1_250, 'EUR', '-€12.50'],
  ])('should show %i minor units of %s as %s, with the currency’s own number of decimals', (amount, currency, expected) => {
    expect(formatMoney(amount, currency)).toBe(expected);
  });

  it('should keep every digit of an amount beyond what a float holds exactly as a decimal', () => {
    // 2^53 - 1 cents: as a float divided by 100 it would lose its last digits.
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD')).toBe('$90,071,992,547,409.91');
  });

  it('should refuse an amount that is not a whole number of minor units', () => {
    expect(() => formatMoney(12.5, 'EUR')).toThrow(/not an integer/);
  });
});
