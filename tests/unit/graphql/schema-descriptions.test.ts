import { beforeAll, describe, expect, it } from '@jest/globals';
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedScalarType, type GraphQLSchema } from 'graphql';
import { buildAppSchema } from '../../../src/graphql/schema';

/**
 * The schema lint: Sandbox and generated client types show descriptions as the API's documentation, so every type,
 * field, argument and enum value says what it is. Built from the code, so that a new field without a description
 * fails here, before `schema:check` would carry it into the checked-in SDL.
 */
describe('the schema lint', () => {
  let schema: GraphQLSchema;

  beforeAll(async () => {
    schema = await buildAppSchema();
  });

  /** Every schema coordinate (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`) that has no description. */
  function undescribed(): string[] {
    const missing: string[] = [];
    const lacks = (description: string | null | undefined) => !description?.trim();
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
      if (lacks(type.description)) missing.push(type.name);
      if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (lacks(field.description)) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (lacks(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) if (lacks(value.description)) missing.push(`${type.name}.${value.name}`);
      }
    }
    return missing;
  }

  it('finds a description on every type, field, argument and enum value', () => {
    expect(undescribed()).toEqual([]);
  });

  it('lists arguments in the order their resolvers declare them', () => {
    const argumentNames = (typeName: string, fieldName: string) => {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
      return type.getFields()[fieldName]!.args.map((arg) => arg.name);
    };
    expect(argumentNames('Mutation', 'logIn')).toEqual(['email', 'password']);
    expect(argumentNames('Mutation', 'changePassword')).toEqual(['currentPassword', 'newPassword']);
    expect(argumentNames('Mutation', 'adjustStock')).toEqual(['productId', 'delta', 'reason']);
    expect(argumentNames('Query', 'stockMovements')).toEqual(['productId', 'first', 'after']);
  });
});
