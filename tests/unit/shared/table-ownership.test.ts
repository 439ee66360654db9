import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A module writes only its own tables; another module calls its functions inside the caller's transaction. This
 * reads the source for hand-written SQL and entity constructions that break that rule for the tables whose owners
 * the issue named (payments: `payment`, `payment_event`; cart: `cart`, `cart_line`, which only it may read too).
 */
const SRC = join(__dirname, '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const FILES = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));

/** Lines of files outside `owner` that match `pattern`, as `path: line`. */
function offendersOutside(owner: string, pattern: RegExp, allowed: readonly string[] = []): string[] {
  return FILES.filter((file) => !file.path.startsWith(owner) && !allowed.includes(file.path)).flatMap((file) =>
    file.text
      .split('\n')
      .filter((line) => pattern.test(line))
      .map((line) => `${file.path}: ${line.trim()}`),
  );
}

describe('modules own their tables', () => {
  it('should leave every write of payment rows to the payments module', () => {
    const writes = /\b(insert\s+into|update|delete\s+from)\s+payment(_event)?\b|\bnew\s+Payment(Event)?\(|\bcreate\(\s*Payment(Event)?\b/i;
    // The retention policy (privacy) empties the raw body of old provider events, as it purges every module's
    // expired rows (sessions, tokens, emails, audit events, erased addresses): one place says what is kept how long.
    expect(offendersOutside('modules/payments/', writes, ['modules/privacy/retention.jobs.ts'])).toEqual([]);
  });

  it('should leave every read and write of carts to the cart module', () => {
    const access = /\b(from|join|into|update|delete\s+from)\s+cart(_line)?\b/i;
    expect(offendersOutside('modules/cart/', access)).toEqual([]);
  });

  it('should find the SQL it looks for where it is allowed to be', () => {
    // Guards the patterns themselves: a pattern that matched nothing anywhere would pass the checks above forever.
    expect(FILES.some((file) => file.path.startsWith('modules/payments/') && /\bupdate\s+payment\b/.test(file.text))).toBe(true);
    expect(FILES.some((file) => file.path.startsWith('modules/cart/') && /\bfrom\s+cart_line\b/.test(file.text))).toBe(true);
  });
});
