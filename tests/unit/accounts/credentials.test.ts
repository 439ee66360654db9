import { describe, expect, it } from '@jest/globals';
import { adminPasswordProblem, characterCount, normaliseEmail, passwordProblem } from '../../../src/modules/accounts/credentials';

describe('credentials', () => {
  it('should normalise an email by trimming and lower-casing it', () => {
    expect(normaliseEmail('  Ana.Silva@Example.COM \n')).toBe('ana.silva@example.com');
  });

  it('should normalise composed and decomposed accents to one spelling', () => {
    expect(normaliseEmail('Jose\u0301@example.com')).toBe(normaliseEmail('Jos\u00e9@example.com'));
  });

  it('should count characters, not UTF-16 code units', () => {
    expect(characterCount('🔑🔑')).toBe(2);
  });

  it('should accept passwords of 10 to 128 characters and refuse the others', () => {
    expect(passwordProblem('123456789')).toMatch(/at least 10/);
    expect(passwordProblem('1234567890')).toBeNull();
    expect(passwordProblem('x'.repeat(128))).toBeNull();
    expect(passwordProblem('x'.repeat(129))).toMatch(/at most 128/);
    // Five emoji are ten UTF-16 units but five characters: too short.
    expect(passwordProblem('🔑🔑🔑🔑🔑')).toMatch(/at least 10/);
  });

  it('should refuse common, repetitive or email-derived passwords for operators', () => {
    expect(adminPasswordProblem('Password123', 'ops@example.com')).toMatch(/too common/);
    expect(adminPasswordProblem('abababababab', 'ops@example.com')).toMatch(/different characters/);
    expect(adminPasswordProblem('marguerite-2026!', 'marguerite@example.com')).toMatch(/email/);
    expect(adminPasswordProblem('short', 'ops@example.com')).toMatch(/at least 10/);
    expect(adminPasswordProblem('plum kettle orbit 42', 'ops@example.com')).toBeNull();
  });
});
