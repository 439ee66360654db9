import { DirectiveLocation, GraphQLBoolean, GraphQLDirective, GraphQLEnumType, GraphQLInt } from 'graphql';

/** Apollo's `CacheControlScope`: whether an answer may be kept by shared caches (CDNs) or only by its client. */
export const CacheControlScope = new GraphQLEnumType({
  name: 'CacheControlScope',
  description: 'Who may keep an answer that holds this field: any cache (PUBLIC), or only the client that asked (PRIVATE).',
  values: {
    PUBLIC: { description: 'The same for every anonymous caller: a CDN or a browser may keep it.' },
    PRIVATE: { description: "Depends on who asks: never kept by a shared cache." },
  },
});

/**
 * Apollo's `@cacheControl` directive, as Apollo Server's cache-control plugin reads it from the schema (the
 * definition is Apollo's, so that Apollo's tools understand the hints too). Types and fields carry it through
 * type-graphql's `@Directive('@cacheControl(maxAge: 60)')`.
 *
 * Apollo's rules: an answer may be kept for the smallest `maxAge` of its fields; a root field, or a field returning
 * an object, without a hint of its own or of its type counts as `maxAge: 0` (not cacheable), unless it says
 * `inheritMaxAge: true` (then it takes its parent's); a scalar field takes its parent's. So a field added without a
 * hint makes answers that select it uncacheable: safe by default.
 */
export const cacheControlDirective = new GraphQLDirective({
  name: 'cacheControl',
  description: 'How long an answer holding this type or field may be kept by HTTP caches, and by whom (Apollo cache hints).',
  locations: [DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.OBJECT, DirectiveLocation.INTERFACE, DirectiveLocation.UNION],
  args: {
    maxAge: { type: GraphQLInt, description: 'Seconds an answer holding it stays fresh.' },
    scope: { type: CacheControlScope, description: 'PRIVATE when the value depends on who asks.' },
    inheritMaxAge: { type: GraphQLBoolean, description: "Take the parent field's maxAge instead of a default of 0." },
  },
});
