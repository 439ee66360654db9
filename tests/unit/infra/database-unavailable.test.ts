import { describe, expect, it } from '@jest/globals';
import { buildSchema, graphql } from 'graphql';
import { isDatabaseUnavailable } from '../../../src/infra/db/unavailable';

/** What graphql-js reports when a resolver throws `thrown`. */
async function errorThrownByResolver(thrown: unknown): Promise<unknown> {
  const result = await graphql({
    schema: buildSchema('type Query { field: String }'),
    source: '{ field }',
    rootValue: {
      field: () => {
        throw thrown;
      },
    },
  });
  return result.errors?.[0]?.originalError;
}

describe('isDatabaseUnavailable', () => {
  it('should recognise a timeout we set, by its SQLSTATE, however deeply it is wrapped', () => {
    const driverError = Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' });
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: new Error('again', { cause: driverError }) }))).toBe(true);
  });

  it('should recognise a refused connection that is not an Error of this realm, once graphql-js has wrapped it', async () => {
    // Under Jest, errors made by Node's core (ECONNREFUSED while PostgreSQL restarts) fail `instanceof Error`: graphql-js
    // then keeps them as NonErrorThrown's `thrownValue`, and they once answered INTERNAL_SERVER_ERROR.
    const original = await errorThrownByResolver({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' });
    expect(original).toMatchObject({ name: 'NonErrorThrown' });
    expect(isDatabaseUnavailable(original)).toBe(true);
  });

  it('should recognise a connection that ended under a query, and a refusal by every address of the host', () => {
    expect(isDatabaseUnavailable(new Error('Connection ended unexpectedly'))).toBe(true);
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(new AggregateError([refused, refused], 'all addresses refused'))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([new Error('bug')], 'not about the database'))).toBe(false);
  });

  it('should not take a bug for unavailability', async () => {
    expect(isDatabaseUnavailable(await errorThrownByResolver(new TypeError('undefined is not a function')))).toBe(false);
    expect(isDatabaseUnavailable(await errorThrownByResolver({ code: '23505' }))).toBe(false);
  });
});
