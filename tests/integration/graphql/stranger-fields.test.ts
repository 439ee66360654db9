import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  buildSchema,
  getNamedType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { seedDemoCatalog } from '../../fixtures/catalog';
import { createUser, type TestUser } from '../../utils/buyers';
import { postGraphql } from '../../utils/clients';
import { startTestServer, type TestServer } from '../../utils/test-server';

const schema: GraphQLSchema = buildSchema(readFileSync(join(__dirname, '..', '..', '..', 'schema', 'schema.graphql'), 'utf8'));

/** Arguments for the fields that need some: a small page, or a slug. */
function argumentsOf(field: GraphQLField<unknown, unknown>, slugs: Record<string, string>): string | null {
  const required = field.args.filter((arg) => isNonNullType(arg.type));
  const given: string[] = [];
  for (const arg of required) {
    if (arg.name === 'first') given.push('first: 2');
    else if (arg.name === 'slug' && slugs[field.name]) given.push(`slug: ${JSON.stringify(slugs[field.name])}`);
    else return null;
  }
  return given.length ? `(${given.join(', ')})` : '';
}

/**
 * Every field of every type reachable from `type`, each object type expanded once on a path (a type met again
 * gets its `id` only), within the server's depth limit of 7.
 */
function selectionOf(type: GraphQLObjectType, slugs: Record<string, string>, path: string[], depth: number): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    const args = argumentsOf(field, slugs);
    if (args === null) continue;
    const named = getNamedType(field.type);
    if (!isObjectType(named)) {
      parts.push(`${field.name}${args}`);
      continue;
    }
    if (path.includes(named.name) || depth >= 7) {
      if (named.getFields().id && depth < 7) parts.push(`${field.name}${args} { id }`);
      continue;
    }
    // A type whose every field lies past the depth limit has nothing left to select: leave the field out.
    const inner = selectionOf(named, slugs, [...path, named.name], depth + 1);
    if (inner) parts.push(`${field.name}${args} { ${inner} }`);
  }
  return parts.join(' ');
}

describe('a stranger reading everything the catalogue reaches', () => {
  let server: TestServer;
  let stranger: TestUser;
  const slugs: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer({ CATALOG_CACHE_TTL_SECONDS: '0' });
    const em = server.database.orm.em.fork();
    await seedDemoCatalog(server.database.orm, { products: 6 });
    const [row] = await em.getConnection().execute<{ product: string; shop: string }[]>('select p.slug as product, s.slug as shop from product p join shop s on s.id = p.shop_id limit 1');
    slugs.product = row!.product;
    slugs.shop = row!.shop;
    stranger = await createUser(server);
  });
  afterAll(() => server?.close());

  const queryType = () => schema.getQueryType()!;
  const catalogueRoots = ['products', 'product', 'shop', 'shops', 'categories'];

  it.each([
    ['anonymous', () => undefined],
    ['logged in as another buyer', () => stranger.token],
  ])('should answer every field, as %s, nulling only the private ones with a FORBIDDEN error each', async (_who, token) => {
    for (const root of catalogueRoots) {
      const field = queryType().getFields()[root]!;
      const named = getNamedType(field.type) as GraphQLObjectType;
      const query = `{ ${root}${argumentsOf(field, slugs)} { ${selectionOf(named, slugs, [named.name], 2)} } }`;
      const tokenValue = token();
      const { status, body } = await postGraphql(server.graphqlUrl, { query }, tokenValue ? { authorization: `Bearer ${tokenValue}` } : {});
      expect(status).toBe(200);
      expect(body.data).not.toBeNull();
      expect((body.data as Record<string, unknown>)[root]).not.toBeNull();
      for (const error of body.errors ?? []) {
        // Only a user's private fields are refused, and each refusal nulls that field alone.
        expect(error.extensions).toMatchObject({ code: 'FORBIDDEN' });
        const path = error.path as (string | number)[];
        const field = path[path.length - 1];
        const parent = path.slice(0, -1).reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], body.data);
        // A user's private fields, and a shop's orders (its artisan's and staff's only).
        if (field === 'orders') expect(parent).toMatchObject({ id: expect.any(String), slug: expect.any(String) });
        else {
          expect(['email', 'role', 'status', 'createdAt']).toContain(field);
          expect(parent).toMatchObject({ id: expect.any(String), displayName: expect.any(String) });
        }
        expect((parent as Record<string, unknown>)[path[path.length - 1] as string]).toBeNull();
      }
      if (root !== 'categories') expect(body.errors?.length ?? 0).toBeGreaterThan(0);
    }
  });
});
