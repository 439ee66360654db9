import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { CatalogResolver } from '../modules/catalog/catalog.resolver';
import { ProductFieldsResolver } from '../modules/catalog/product-fields.resolver';
import { ShopFieldsResolver } from '../modules/catalog/shop-fields.resolver';
import { applyPermissions } from './permissions';
import { validateArgument } from './validate-argument';

/** Every resolver class of the API, listed once. */
export const resolvers = [CatalogResolver, ProductFieldsResolver, ShopFieldsResolver] as const;

/**
 * The executable schema: type-graphql's code-first build, with class-validator on every argument, wrapped
 * by the graphql-shield permissions. Its SDL is checked in as `schema/schema.graphql`.
 */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    // class-validator on every argument, failing with BAD_USER_INPUT that names the field as the client wrote it.
    validateFn: validateArgument,
  });
  return applyPermissions(schema);
}
