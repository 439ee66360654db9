import { OperationTypeNode, specifiedDirectives, type GraphQLSchema } from 'graphql';
import { buildSchema, getMetadataStorage } from 'type-graphql';
import { AuditResolver } from '../modules/accounts/audit.resolver';
import { AuthResolver } from '../modules/accounts/auth.resolver';
import { AccountControlsResolver } from '../modules/accounts/account-controls.resolver';
import { MeResolver } from '../modules/accounts/me.resolver';
import { UserFieldsResolver } from '../modules/accounts/user-fields.resolver';
import { UsersResolver } from '../modules/accounts/users.resolver';
import { CatalogResolver } from '../modules/catalog/catalog.resolver';
import { ProductAdminResolver } from '../modules/catalog/product-admin.resolver';
import { ProductFieldsResolver } from '../modules/catalog/product-fields.resolver';
import { ShopAdminResolver } from '../modules/catalog/shop-admin.resolver';
import { ShopFieldsResolver } from '../modules/catalog/shop-fields.resolver';
import { CartFieldsResolver, CartLineFieldsResolver } from '../modules/cart/cart-fields.resolver';
import { CartResolver } from '../modules/cart/cart.resolver';
import { InventoryResolver } from '../modules/inventory/inventory.resolver';
import { LiveStockResolver } from '../modules/inventory/live-stock.resolver';
import { StockChangeFieldsResolver } from '../modules/inventory/stock-change-fields.resolver';
import { EmailMessageFieldsResolver } from '../modules/notifications/email-message-fields.resolver';
import { EmailResolver } from '../modules/notifications/email.resolver';
import { FulfilmentResolver } from '../modules/orders/fulfilment.resolver';
import { ShopOrderFieldsResolver, ShopOrdersResolver } from '../modules/orders/shop-order-fields.resolver';
import { ShopOrderUpdatesResolver } from '../modules/orders/shop-order-updates.resolver';
import { StockHistoryResolver } from '../modules/inventory/stock-history.resolver';
import { OrderFieldsResolver, OrderLineFieldsResolver, ShipmentFieldsResolver } from '../modules/orders/order-fields.resolver';
import { OrderUpdatesResolver } from '../modules/orders/order-updates.resolver';
import { OrderResolver } from '../modules/orders/order.resolver';
import { PaymentFieldsResolver } from '../modules/payments/payment-fields.resolver';
import { subscriptionsBringTheirOwnSource } from './subscription-scope';
import { cacheControlDirective } from './cache-control';
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
  AccountControlsResolver,
  MeResolver,
  UserFieldsResolver,
  UsersResolver,
  AuditResolver,
  CartResolver, CartFieldsResolver, CartLineFieldsResolver,
  OrderResolver, OrderFieldsResolver, OrderLineFieldsResolver, OrderUpdatesResolver, PaymentFieldsResolver,
  FulfilmentResolver, ShipmentFieldsResolver, ShopOrdersResolver, ShopOrderFieldsResolver, ShopOrderUpdatesResolver,
  InventoryResolver, LiveStockResolver, StockChangeFieldsResolver, StockHistoryResolver,
  EmailResolver, EmailMessageFieldsResolver,
] as const;

/**
 * The executable schema: type-graphql's code-first build, with class-validator on every argument, wrapped
 * by the graphql-shield permissions. Its SDL is checked in as `schema/schema.graphql`.
 */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  // Parameter decorators run last parameter first, so type-graphql records (and prints) arguments in reverse:
  // `logIn(password, email)`. In the order of the method's parameters, they read as written. Resolvers call
  // their parameters by index, so only the schema's order changes.
  getMetadataStorage().params.sort((a, b) => a.index - b.index);
  const schema = await buildSchema({
    resolvers,
    // class-validator on every argument, failing with BAD_USER_INPUT that names the field as the client wrote it.
    validateFn: validateArgument,
    pubSub: subscriptionsBringTheirOwnSource,
    // Apollo's cache hints on the catalogue's types and fields (see cache-control.ts).
    directives: [...specifiedDirectives, cacheControlDirective],
  });
  describeRootTypes(schema);
  return applyPermissions(schema);
}

/**
 * type-graphql builds the root types itself and takes no description for them; every type of the schema has one
 * (the description lint in tests/unit/graphql/schema-descriptions.test.ts), so they are set here, once, before the
 * schema is used.
 */
function describeRootTypes(schema: GraphQLSchema): void {
  const descriptions: Record<OperationTypeNode, string> = {
    [OperationTypeNode.QUERY]: 'Reads. Lists are connections: paginated with `first` (at most 100) and `after`, newest first unless a field says otherwise.',
    [OperationTypeNode.MUTATION]: 'Writes. Errors carry a stable `extensions.code`; a `checkout` retried with the same `idempotencyKey` answers the same order.',
    [OperationTypeNode.SUBSCRIPTION]: 'Live events over WebSocket (graphql-ws). Each event is authorised for the viewer as it is delivered.',
  };
  for (const operation of Object.values(OperationTypeNode)) {
    const rootType = schema.getRootType(operation);
    if (rootType) rootType.description = descriptions[operation];
  }
}

