import { describe, expect, it, jest } from '@jest/globals';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobHelpers } from 'graphile-worker';
import { z } from 'zod';
import { defineJob, MalformedJobPayloadError } from '../../../src/infra/jobs';
import { idSchema, newId } from '../../../src/shared/ids';

enum Colour {
  RED = 'RED',
  BLUE = 'BLUE',
}

const paintJob = defineJob({
  name: 'paint_order',
  payload: z.object({ orderId: idSchema, colour: z.enum(Colour), coats: z.number().int().optional() }),
  spec: ({ orderId }) => ({ jobKey: `paint_order:${orderId}`, maxAttempts: 5 }),
});

/** graphile-worker's helpers as a task sees them, recording the SQL the task sends. */
function helpersOf(jobId: string) {
  const queries: Array<{ text: string; values: unknown[] }> = [];
  const client = { query: async (text: string, values: unknown[]) => (queries.push({ text, values }), { rows: [] }) };
  const helpers = { job: { id: jobId, attempts: 1, max_attempts: 25 }, withPgClient: async (run: (c: typeof client) => Promise<unknown>) => run(client) };
  return { helpers: helpers as unknown as JobHelpers, queries };
}

describe('a job defined once (defineJob)', () => {
  it('should write add_job with the parsed payload and the spec the definition derives from it, overridden field by field', () => {
    const orderId = newId();
    const runAt = new Date('2030-01-01T00:00:00Z');
    const { text, params } = paintJob.scheduleSql({ orderId, colour: Colour.RED }, { runAt, maxAttempts: 2 });
    expect(text).toMatch(/^graphile_worker\.add_job\(/);
    expect(params).toEqual(['paint_order', JSON.stringify({ orderId, colour: 'RED' }), runAt, `paint_order:${orderId}`, 2]);
  });

  it('should refuse to schedule a payload that does not match its schema, naming the fields but not their values', async () => {
    const malformed = { orderId: 'secret@example.com', colour: 'GREEN' } as never;
    expect(() => paintJob.scheduleSql(malformed)).toThrow('paint_order: cannot schedule a malformed payload (orderId: invalid_format, colour: invalid_value)');
    // Refused before the database is touched: this EntityManager would throw on any use.
    await expect(paintJob.schedule({} as EntityManager, malformed)).rejects.toThrow(/cannot schedule a malformed payload/);
    expect(() => paintJob.scheduleSql(malformed)).not.toThrow(/secret@example\.com/);
  });

  it('should hand a valid payload to the handler parsed and typed, without the trace context it carried', async () => {
    const orderId = newId();
    const handler = jest.fn(async (payload: { orderId: string; colour: Colour; coats?: number | undefined }, _helpers: JobHelpers) => {
      expect(payload.colour === Colour.RED || payload.colour === Colour.BLUE).toBe(true);
    });
    const tasks = paintJob.task(handler);
    const { helpers, queries } = helpersOf('7');
    await tasks.paint_order!({ orderId, colour: 'BLUE', coats: 2, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, helpers);

    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0]![0]).toEqual({ orderId, colour: Colour.BLUE, coats: 2 });
    expect(queries).toEqual([]);
  });

  it('should never run the handler on a malformed payload, and fail the job for good so that it is not retried', async () => {
    const handler = jest.fn(async () => undefined);
    const tasks = paintJob.task(handler);
    const { helpers, queries } = helpersOf('8');

    const run = tasks.paint_order!({ orderId: 'not-an-id', colour: 'RED', coats: 1.5 }, helpers);
    await expect(run).rejects.toBeInstanceOf(MalformedJobPayloadError);
    await expect(run).rejects.toMatchObject({
      task: 'paint_order',
      problems: ['orderId: invalid_format', 'coats: invalid_type'],
      message: 'paint_order: malformed payload (orderId: invalid_format, coats: invalid_type): failed for good, never retried',
    });
    expect(handler).not.toHaveBeenCalled();
    // Its max_attempts lowered to the attempts made: graphile-worker takes it no more, and keeps it with its error.
    expect(queries).toEqual([{ text: 'update graphile_worker._private_jobs set max_attempts = attempts where id = $1', values: ['8'] }]);
  });

  it('should type schedule and the handler from the schema', () => {
    const orderId = newId();
    // @ts-expect-error: colour must be one of the enum's values.
    expect(() => paintJob.scheduleSql({ orderId, colour: 'GREEN' })).toThrow();
    // @ts-expect-error: orderId is required.
    expect(() => paintJob.scheduleSql({ colour: Colour.RED })).toThrow();
    paintJob.task(async (payload) => {
      const colour: Colour = payload.colour;
      // @ts-expect-error: no such field in the payload.
      void payload.quantity;
      void colour;
    });
  });
});
