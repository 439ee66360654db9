import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AuditResolver } from '../modules/accounts/audit.resolver';
import { AuthResolver } from '../modules/accounts/auth.resolver';
import { MeResolver } from '../modules/accounts/me.resolver';
import { UserFieldsResolver } from '../modules/accounts/user-fields.resolver';
import { UsersResolver } from '../modules/accounts/users.resolver';
import { CatalogResolver } from '../modules/catalog/catalog.resolver';
import { ProductAdminResolver } from '../modules/catalog/product-admin.resolver';
import { ProductFieldsResolver } from '../modules/catalog/product-fields.resolver';
import { ShopAdminResolver } from '../modules/catalog/shop-admin.resolver';
import { ShopFieldsResolver } from '../modules/catalog/shop-fields.resolver';
import { applyPermissions } from './permissions';
import { validateArgument } from './validate-argument';

/** Every resolver class of the API, listed once. */
export const resolvers = [
  CatalogResolver,
  ProductFieldsResolver,
  ShopFieldsResolver,
  ShopAdminResolver,
  ProductAdminResolver,
  AuthResolver,
  MeResolver,
  UserFieldsResolver,
  UsersResolver,
  AuditResolver,
] as const;

/**
 * The executable schema: type-graphql's code-first build, with class-validator on every argument, wrapped
 * by the graphql-shield permissions. Its SDL is checked in as `schema/schema.graphql`.
 */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    // class-validator on every argument, failing with BAD_USER_INPUT that names the field as the client wrote it.
    validateFn: validateArgument,
    pubSub: noSchemaPubSub,
  });
  return applyPermissions(schema);
}

/**
 * type-graphql insists on a schema-wide pub/sub as soon as there is a subscription, but ours is per app (one
 * per `createApp`, Redis or in process) and reaches resolvers as `ctx.pubsub`. Every `@Subscription` therefore
 * gives its own `subscribe` (see `channelIterator`); this one only says so if someone uses `topics` instead.
 */
const noSchemaPubSub = {
  publish(): never {
    throw new Error('Publish with ctx.pubsub: the schema has no pub/sub of its own');
  },
  subscribe(): never {
    throw new Error('Give @Subscription a `subscribe` over ctx.pubsub (channelIterator), not `topics`');
  },
};
