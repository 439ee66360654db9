import { applyMiddleware } from 'graphql-middleware';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { CatalogResolver } from '../modules/catalog/catalog.resolver';
import { ProductFieldsResolver } from '../modules/catalog/product-fields.resolver';
import { ShopFieldsResolver } from '../modules/catalog/shop-fields.resolver';
import { CartFieldsResolver, CartLineFieldsResolver } from '../modules/cart/cart-fields.resolver';
import { CartResolver } from '../modules/cart/cart.resolver';
import { InventoryResolver } from '../modules/inventory/inventory.resolver';
import { LiveStockResolver } from '../modules/inventory/live-stock.resolver';
import { OrderFieldsResolver, OrderLineFieldsResolver } from '../modules/orders/order-fields.resolver';
import { OrderUpdatesResolver } from '../modules/orders/order-updates.resolver';
import { OrderResolver } from '../modules/orders/order.resolver';
import { createPermissions } from './permissions';
import { subscriptionsBringTheirOwnSource } from './subscription-scope';

/** Every resolver class of the API, listed once. */
export const resolvers = [
  CatalogResolver, ProductFieldsResolver, ShopFieldsResolver,
  CartResolver, CartFieldsResolver, CartLineFieldsResolver,
  OrderResolver, OrderFieldsResolver, OrderLineFieldsResolver, OrderUpdatesResolver,
  InventoryResolver, LiveStockResolver,
] as const;

/**
 * The executable schema: type-graphql's code-first build, with class-validator on every input, wrapped
 * by the graphql-shield permissions. Its SDL is checked in as `schema/schema.graphql`.
 */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    // forbidUnknownValues would reject inputs without class-validator decorators; every input here has them.
    validate: { forbidUnknownValues: false },
    pubSub: subscriptionsBringTheirOwnSource,
  });
  return applyMiddleware(schema, createPermissions());
}
