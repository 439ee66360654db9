import { z } from 'zod';

/** A key id: what a sealed value names to say which key opens it. Letters, digits, `_` and `-`, at most 64. */
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The key ring of personal data at rest, as `DATA_ENCRYPTION_KEYS` gives it (contract README). */
export interface KeyRingSpec {
  /** The id of the key that seals new values. */
  current: string;
  /** Every key that may still open a value: id → 32 bytes. */
  keys: ReadonlyMap<string, Buffer>;
}

const keyRingSchema = z
  .object({
    current: z.string().regex(KEY_ID, 'current: a key id of letters, digits, _ and - (at most 64)'),
    keys: z.record(
      z.string().regex(KEY_ID, 'keys: ids of letters, digits, _ and - (at most 64)'),
      z.string().refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32, 'each key must be 32 bytes in base64'),
    ),
  })
  .refine((ring) => ring.current in ring.keys, 'current must name one of keys');

/**
 * Parses `{"current":"<id>","keys":{"<id>":"<32 bytes base64>", …}}`. Throws an Error whose message says what is
 * wrong, never a key.
 */
export function parseKeyRing(json: string): KeyRingSpec {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('must be JSON: {"current":"<key id>","keys":{"<key id>":"<32 bytes, base64>"}}');
  }
  const parsed = keyRingSchema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join('; '));
  return {
    current: parsed.data.current,
    keys: new Map(Object.entries(parsed.data.keys).map(([id, key]) => [id, Buffer.from(key, 'base64')])),
  };
}

/** The JSON form of a key ring (to keep a generated development ring, or to print one). */
export function formatKeyRing(ring: KeyRingSpec): string {
  return JSON.stringify({ current: ring.current, keys: Object.fromEntries([...ring.keys].map(([id, key]) => [id, key.toString('base64')])) });
}
