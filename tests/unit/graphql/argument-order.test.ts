import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { buildSchema, type GraphQLObjectType } from 'graphql';

const schema = buildSchema(readFileSync(join(__dirname, '..', '..', '..', 'schema', 'schema.graphql'), 'utf8'));

/** The argument names of `type.field` in the emitted SDL, in their order. */
function argumentsOf(type: GraphQLObjectType | null | undefined, field: string): string[] {
  return type!.getFields()[field]!.args.map((arg) => arg.name);
}

describe('arguments in the emitted schema', () => {
  it('should appear in the order the resolvers declare them, as people read them, not reversed', () => {
    const query = schema.getQueryType();
    const mutation = schema.getMutationType();
    expect(argumentsOf(mutation, 'logIn')).toEqual(['email', 'password']);
    expect(argumentsOf(mutation, 'changePassword')).toEqual(['currentPassword', 'newPassword']);
    expect(argumentsOf(mutation, 'resetPassword')).toEqual(['token', 'newPassword']);
    expect(argumentsOf(mutation, 'addToCart')).toEqual(['productId', 'quantity']);
    expect(argumentsOf(mutation, 'adjustStock')).toEqual(['productId', 'delta', 'reason']);
    expect(argumentsOf(query, 'products')).toEqual(['first', 'after', 'filter']);
    expect(argumentsOf(query, 'stockMovements')).toEqual(['productId', 'first', 'after']);
    expect(argumentsOf(query, 'myOrders')).toEqual(['first', 'after', 'status']);
  });
});
