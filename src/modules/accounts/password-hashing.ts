import * as argon2 from 'argon2';

/**
 * argon2id with OWASP's Password Storage Cheat Sheet minimum (19 MiB of memory, 2 passes, 1 lane). Each hash
 * holds 19 MiB while it runs: the parameters are a trade between an attacker's cost and ours under load.
 */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

/**
 * Hash of a password nobody knows. Checking a password against it when the email matches no account makes a
 * failed log-in take as long as with a real account, so that timing does not tell them apart.
 */
let dummyHash: Promise<string> | undefined;

/** Makes the dummy hash ahead of the first log-in (at start-up), so that not even that one is faster. */
export function prepareDummyHash(): Promise<string> {
  dummyHash ??= argon2.hash('not the password of anyone', ARGON2_OPTIONS);
  return dummyHash;
}

/**
 * Whether `password` matches `hash`. With no hash (no such account) or one that is not argon2 (the demo
 * artisans' `!`), it still does the work of a verification, then answers false. Throws only if argon2 itself cannot hash.
 */
export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (hash?.startsWith('$argon2')) {
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A corrupt hash is a failed log-in, not an internal error.
    }
  }
  await argon2.verify(await prepareDummyHash(), password).catch(() => false);
  return false;
}

/** Whether a hash was made with older (weaker) parameters: it is replaced at the next successful log-in. */
export function passwordNeedsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, ARGON2_OPTIONS);
}
