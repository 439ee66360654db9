import { OperationTypeNode, specifiedDirectives, type GraphQLSchema } from 'graphql';
import { buildSchema, getMetadataStorage } from 'type-graphql';
import { moduleResolvers, type AppServices } from '../modules';
import { subscriptionsBringTheirOwnSource } from './subscription-scope';
import { cacheControlDirective } from './cache-control';
import { applyPermissions } from './permissions';
import { validateArgument } from './validate-argument';

/** Every resolver class of the API (`moduleResolvers`), as type-graphql wants them: one at least. */
export const resolvers = nonEmpty([...moduleResolvers]);

function nonEmpty<T>(list: T[]): [T, ...T[]] {
  const [first, ...rest] = list;
  if (first === undefined) throw new Error('no module declares a resolver: type-graphql needs one at least');
  return [first, ...rest];
}

/**
 * The executable schema: type-graphql's code-first build, with class-validator on every argument, wrapped
 * by the graphql-shield permissions. Its SDL is checked in as `schema/schema.graphql`. Its resolvers are made once,
 * on first use, with `services`; a schema built without them (`schema:emit`, the schema's own tests) only prints.
 */
export async function buildAppSchema(services?: AppServices): Promise<GraphQLSchema> {
  // Parameter decorators run last parameter first, so type-graphql records (and prints) arguments in reverse:
  // `logIn(password, email)`. In the order of the method's parameters, they read as written. Resolvers call
  // their parameters by index, so only the schema's order changes.
  const metadata = getMetadataStorage();
  metadata.params.sort((a, b) => a.index - b.index);
  // Root fields module by module, in the order of the list of modules and of each module's resolvers, whatever order
  // the files were loaded in (type-graphql keeps the order its decorators ran in).
  type RootField = (typeof metadata.queries)[number];
  const rank = new Map<RootField['target'], number>(resolvers.map((resolver, index) => [resolver, index]));
  const byResolver = (a: RootField, b: RootField) => (rank.get(a.target) ?? Infinity) - (rank.get(b.target) ?? Infinity);
  for (const rootFields of [metadata.queries, metadata.mutations, metadata.subscriptions]) rootFields.sort(byResolver);
  const instances = new Map<Function, object>();
  const container = {
    get(resolverClass: new (services: AppServices) => object) {
      if (!services) throw new Error('this schema was built without services: it can be printed, not executed');
      let instance = instances.get(resolverClass);
      if (!instance) instances.set(resolverClass, (instance = new resolverClass(services)));
      return instance;
    },
  };
  const schema = await buildSchema({
    resolvers,
    container,
    // class-validator on every argument, failing with BAD_USER_INPUT that names the field as the client wrote it.
    validateFn: validateArgument,
    pubSub: subscriptionsBringTheirOwnSource,
    // Apollo's cache hints on the catalogue's types and fields (see cache-control.ts).
    directives: [...specifiedDirectives, cacheControlDirective],
  });
  describeRootTypes(schema);
  subscribeWithTheirResolvers(schema, metadata.subscriptions.filter((subscription) => rank.has(subscription.target)), container);
  return applyPermissions(schema);
}

type SubscriptionMetadata = ReturnType<typeof getMetadataStorage>['subscriptions'][number];

/**
 * type-graphql calls a subscription's `subscribe` option as a plain function, with no resolver. Here it is called
 * with the field's resolver (made once, with the services) as `this`, so that it calls a service method as every
 * resolver does: `subscribe(this: LiveStockResolver, { args, context }) { return this.services.x.subscribe(context, args) }`.
 */
function subscribeWithTheirResolvers(schema: GraphQLSchema, subscriptions: SubscriptionMetadata[], container: { get(resolverClass: never): object }): void {
  const fields = schema.getSubscriptionType()?.getFields() ?? {};
  for (const { schemaName, subscribe, target } of subscriptions) {
    const field = fields[schemaName];
    if (!field || !subscribe) continue;
    field.subscribe = (source, args, context, info) => subscribe.call(container.get(target as never), { source, args, context, info });
  }
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

