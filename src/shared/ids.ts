import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';

/**
 * A new primary key: a UUIDv7, so that ids sort by creation time. Keyset pagination orders by id alone
 * ("newest first" is `ORDER BY id DESC`), which needs one index per filter instead of (created_at, id) pairs.
 */
export function newId(): string {
  return uuidv7();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` can be an id at all; lets us answer NOT_FOUND without sending PostgreSQL an invalid uuid. */
export function isId(value: string): boolean {
  return UUID.test(value);
}

/** An id in a payload that crosses the process's edge (a job, a message): a string that {@link isId} accepts. */
export const idSchema = z.string().regex(UUID);
