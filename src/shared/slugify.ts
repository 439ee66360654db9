/**
 * The URL-safe form of a name: accents dropped, lower-case ASCII letters and digits, runs of anything else one
 * hyphen, none at either end (`Atelier Été 2` → `atelier-ete-2`). Empty when nothing is left: callers fall back.
 */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
