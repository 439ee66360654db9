import { describe, expect, it } from '@jest/globals';
import { slugify } from '../../../src/shared/slugify';

describe('slugify', () => {
  it('should keep lower-case ASCII letters and digits, drop accents, and join the rest with single hyphens', () => {
    expect(slugify('Atelier Été 2')).toBe('atelier-ete-2');
    expect(slugify('  Crème -- brûlée!! ')).toBe('creme-brulee');
    expect(slugify('Ça & ÇA')).toBe('ca-ca');
  });

  it('should answer empty when nothing URL-safe is left, so that callers fall back', () => {
    expect(slugify('日本')).toBe('');
    expect(slugify('---')).toBe('');
  });
});
