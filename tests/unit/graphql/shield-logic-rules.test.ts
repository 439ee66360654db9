import { describe, expect, it } from '@jest/globals';
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { allow, and, chain, deny, not, or, race, rule, shield } from 'graphql-shield';

/**
 * graphql-shield 7.6.5, its last release, calls `util.isUndefined`, which Node 23 removed: on Node 24 every
 * composed rule threw and every query answered INTERNAL_SERVER_ERROR, while no unit test noticed. Our patch
 * (patches/graphql-shield+7.6.5.patch, applied by `postinstall`) fixes it; these tests evaluate each logic
 * rule on the running Node, so a lost patch or a new Node that breaks shield fails here first.
 */
const typeDefs = 'type Query { and: String  or: String  chain: String  race: String  not: String  refused: String }';
const yes = rule({ cache: 'no_cache' })(() => true);
const no = rule({ cache: 'no_cache' })(() => false);

/** Each field answers its own name. */
function withResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const [name, field] of Object.entries(schema.getQueryType()!.getFields())) field.resolve = () => name;
  return schema;
}

const schema = applyMiddleware(
  withResolvers(buildSchema(typeDefs)),
  shield(
    {
      Query: {
        and: and(yes, allow),
        or: or(no, yes),
        chain: chain(yes, yes, allow),
        race: race(no, yes),
        not: not(no),
        refused: chain(yes, or(no, deny)),
      },
    },
    { fallbackRule: deny, allowExternalErrors: false, debug: true },
  ),
);

describe(`graphql-shield's logic rules on Node ${process.versions.node}`, () => {
  it('should evaluate and, or, chain, race and not without throwing', async () => {
    const result = await graphql({ schema, source: '{ and or chain race not }' });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ and: 'and', or: 'or', chain: 'chain', race: 'race', not: 'not' });
  });

  it('should refuse a field whose composed rule denies, as a refusal and not a crash', async () => {
    const result = await graphql({ schema, source: '{ refused }' });
    expect(result.data).toEqual({ refused: null });
    expect(result.errors?.map((error) => error.message)).toEqual(['Not Authorised!']);
  });
});
