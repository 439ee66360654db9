import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { OperationTypeNode } from 'graphql';
import type { RequestContext } from '../../modules/request-context';

/** What every answer that is not a public catalogue answer says: personal, or an error, or a write. */
export const UNCACHEABLE = 'private, no-store';

/**
 * `Cache-Control` of every GraphQL answer over HTTP, from Apollo's cache hints (`@cacheControl` on the catalogue's
 * types and fields, see `src/graphql/cache-control.ts`):
 *
 * - `public, max-age=<the smallest maxAge of the fields selected>` for an anonymous query (no `Authorization`
 *   header) whose answer has no error and whose every field is hinted PUBLIC with a maxAge: a CDN or a browser
 *   may serve it to anyone for that long. GET requests (Apollo Client's `useGETForHashedQueries`) make it
 *   cacheable by URL.
 * - {@link UNCACHEABLE} for everything else: anything with a viewer (a token, even an invalid one), a field that
 *   is PRIVATE or has no hint, an error, a mutation.
 *
 * Apollo's cache-control plugin computes the policy while the operation executes, by wrapping every field
 * resolver. It runs here for anonymous requests only: an answer to a token is never public whatever its fields,
 * so authenticated requests (`me`, carts, checkouts) pay nothing for it. A hit of the public response cache does
 * not execute: that cache restores the policy it stored beside the answer.
 */
export function httpCachePlugin(): ApolloServerPlugin<RequestContext> {
  // The header is written below, in one place; Apollo's plugin only computes the policy.
  const hints = ApolloServerPluginCacheControl({ calculateHttpHeaders: false }) as ApolloServerPlugin<RequestContext>;
  return {
    async serverWillStart(service) {
      return hints.serverWillStart?.(service);
    },
    async requestDidStart(requestContext) {
      const anonymous = requestContext.request.http !== undefined && !requestContext.request.http.headers.has('authorization');
      const computing = anonymous ? await hints.requestDidStart?.(requestContext) : undefined;
      return {
        executionDidStart: computing?.executionDidStart?.bind(computing),
        async willSendResponse(context) {
          context.response.http.headers.set('cache-control', anonymous ? cacheControlOf(context) : UNCACHEABLE);
        },
      };
    },
  };
}

function cacheControlOf(context: GraphQLRequestContextWillSendResponse<RequestContext>): string {
  const { response, operation, overallCachePolicy } = context;
  if (operation?.operation !== OperationTypeNode.QUERY) return UNCACHEABLE;
  if (response.body.kind !== 'single' || response.body.singleResult.errors?.length) return UNCACHEABLE;
  if (response.http.status !== undefined && response.http.status !== 200) return UNCACHEABLE;
  const policy = overallCachePolicy.policyIfCacheable();
  if (!policy || policy.scope !== 'PUBLIC') return UNCACHEABLE;
  return `public, max-age=${policy.maxAge}`;
}
