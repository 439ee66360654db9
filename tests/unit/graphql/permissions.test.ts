import { beforeAll, describe, expect, it } from '@jest/globals';
import { graphql, isObjectType, type GraphQLSchema } from 'graphql';
import { buildSchema, Query, Resolver } from 'type-graphql';
import { applyPermissions, permissionRules } from '../../../src/graphql/permissions';
import type { RuleTree } from '../../../src/shared/rule-tree';
import { buildAppSchema, resolvers } from '../../../src/graphql/schema';
import { isNotBanned } from '../../../src/modules/accounts/auth.rules';

/** A field that somebody added without opening it. */
@Resolver()
class ForgottenResolver {
  @Query(() => String)
  forgottenField(): string {
    return 'should never be seen';
  }
}

describe('the permission rules', () => {
  let schema: GraphQLSchema;
  let rules: RuleTree;

  beforeAll(async () => {
    schema = await buildAppSchema();
    rules = permissionRules();
  });

  /** Every `Type.field` of the schema's object types, introspection aside. */
  function schemaFields(): string[] {
    return Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && !type.name.startsWith('__'))
      .flatMap((type) => Object.keys((type as { getFields(): Record<string, unknown> }).getFields()).map((field) => `${type.name}.${field}`));
  }

  it('should give every field of the schema a rule of its own, so that the fallback (deny) is never what opens or closes it by accident', () => {
    const missing = schemaFields().filter((path) => {
      const [type, field] = path.split('.') as [string, string];
      return rules[type]?.[field] === undefined;
    });
    expect(missing).toEqual([]);
  });

  it('should have no rule for a field that does not exist', () => {
    const fields = new Set(schemaFields());
    const stale = Object.entries(rules).flatMap(([type, typeRules]) => Object.keys(typeRules).map((field) => `${type}.${field}`)).filter((path) => !fields.has(path));
    expect(stale).toEqual([]);
  });

  it('should check for a banned caller first on every root field, public ones included', () => {
    for (const root of ['Query', 'Mutation', 'Subscription']) {
      for (const [field, rule] of Object.entries(rules[root] ?? {})) {
        // `chain(isNotBanned, rule)`: a logic rule whose first rule is isNotBanned.
        const first = (rule as { getRules?: () => unknown[] }).getRules?.()[0];
        expect([field, first === isNotBanned]).toEqual([field, true]);
      }
    }
  });

  it('should deny a field that no rule opens', async () => {
    const unopened = await buildSchema({
      resolvers: [...resolvers, ForgottenResolver],
      validate: false,
      pubSub: { publish: () => undefined, subscribe: () => (async function* () {})() },
    });
    const result = await graphql({
      schema: applyPermissions(unopened),
      source: '{ forgottenField }',
      contextValue: { auth: { kind: 'anonymous' }, viewer: null },
    });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
